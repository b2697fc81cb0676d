package dev.streamfold.query;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * @param applicationId Kafka Streams application id (consumer group, prefix of internal topics)
 * @param stateDir      where the window store's RocksDB files live
 * @param windowSize    size of the aggregation windows being materialised (must match aggregation-service)
 * @param retention     how long a window stays queryable, counted back from the newest window seen
 * @param maxRange      longest {@code from}..{@code to} range one request may ask for
 */
@Validated
@ConfigurationProperties("query")
public record QueryProperties(
        @NotBlank String applicationId,
        @NotBlank String stateDir,
        @NotNull @DurationMin(millis = 1) Duration windowSize,
        @NotNull @DurationMin(millis = 1) Duration retention,
        @NotNull @DurationMin(millis = 1) Duration maxRange) {

    /** A window store cannot keep windows for less time than one window lasts. */
    @AssertTrue(message = "retention must be at least window-size")
    public boolean isRetentionAtLeastWindowSize() {
        return windowSize == null || retention == null || retention.compareTo(windowSize) >= 0;
    }
}
