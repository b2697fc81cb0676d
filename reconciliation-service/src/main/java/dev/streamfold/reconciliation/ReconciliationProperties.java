package dev.streamfold.reconciliation;

import dev.streamfold.common.config.StreamfoldProperties;

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
 * @param settleDelay   how long after its end a window is final; must exceed {@code streamfold.windows.grace}, or
 *                      late orders still being counted would show up as mismatches
 * @param lookback      how far back settled windows are (re)checked; the windows are {@code streamfold.windows.*}
 */
@Validated
@ConfigurationProperties("reconciliation")
public record ReconciliationProperties(
        @NotBlank @DefaultValue("streamfold-reconciliation") String applicationId,
        @NotNull @DurationMin(millis = 100) @DefaultValue("PT10S") Duration interval,
        @NotNull @DurationMin(millis = 0) @DefaultValue("PT2M") Duration settleDelay,
        @NotNull @DurationMin(millis = 1) @DefaultValue("PT24H") Duration lookback) {

    /**
     * Checks these settings against the shared windows: a window is checked only once no late order can still change
     * it, and the lookback covers at least one window.
     */
    public void requireConsistentWith(StreamfoldProperties.Windows windows) {
        if (settleDelay.compareTo(windows.grace()) <= 0) {
            throw new IllegalStateException("reconciliation.settle-delay " + settleDelay + " must exceed"
                    + " streamfold.windows.grace " + windows.grace() + ": late orders would still change the windows checked");
        }
        if (lookback.compareTo(windows.size()) < 0) {
            throw new IllegalStateException("reconciliation.lookback " + lookback + " must cover at least one window"
                    + " (streamfold.windows.size " + windows.size() + ")");
        }
    }
}
