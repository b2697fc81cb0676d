package dev.streamfold.reconciliation;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param applicationId consumer group id, client id prefix and the service name in dead-letter headers
 * @param interval      pause between two micro-batches
 * @param settleDelay   how long after its end a window is final; must exceed the aggregation's grace period,
 *                      or late orders still being counted would show up as mismatches
 * @param lookback      how far back settled windows are (re)checked
 * @param windowSize    of the aggregation's tumbling windows, aligned to the epoch
 */
@Validated
@ConfigurationProperties("reconciliation")
public record ReconciliationProperties(
        @NotBlank @DefaultValue("streamfold-reconciliation") String applicationId,
        @NotNull @DurationMin(millis = 100) @DefaultValue("PT10S") Duration interval,
        @NotNull @DurationMin(millis = 0) @DefaultValue("PT2M") Duration settleDelay,
        @NotNull @DurationMin(millis = 1) @DefaultValue("PT24H") Duration lookback,
        @NotNull @DurationMin(millis = 1) @DefaultValue("PT1M") Duration windowSize) {

    @AssertTrue(message = "lookback must cover at least one window")
    public boolean isLookbackAtLeastOneWindow() {
        return lookback == null || windowSize == null || lookback.compareTo(windowSize) >= 0;
    }

    @AssertTrue(message = "window-size must be a whole number of milliseconds, like Kafka Streams' windows")
    public boolean isWindowSizeInMillis() {
        return windowSize == null || windowSize.toNanos() % 1_000_000 == 0;
    }
}
