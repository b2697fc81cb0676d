package dev.streamfold.aggregation;

import dev.streamfold.aggregation.category.WindowSettings;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * @param applicationId   Kafka Streams application id: consumer group, transactional id and internal topic prefix
 * @param stateDir        where RocksDB keeps the deduplication, stream-time, pending-delta and window stores
 * @param windowSize      length of the tumbling event-time windows
 * @param grace           how long after a window ends a late order is still counted in it
 * @param windowRetention how long the total of a window is kept (in event time) after the slowest input partition
 *                        has passed it; only state size depends on it, not correctness
 */
@Validated
@ConfigurationProperties("aggregation")
record AggregationProperties(
        @NotBlank String applicationId,
        @NotBlank String stateDir,
        @NotNull @DurationMin(millis = 1) Duration windowSize,
        @NotNull @DurationMin(millis = 0) Duration grace,
        @NotNull @DurationMin(millis = 1) Duration windowRetention) {

    @AssertTrue(message = "aggregation.window-retention must be at least aggregation.window-size + aggregation.grace")
    boolean isWindowRetentionAtLeastSizePlusGrace() {
        return windowSize == null || grace == null || windowRetention == null
                || windowRetention.compareTo(windowSize.plus(grace)) >= 0;
    }

    WindowSettings windows() {
        return new WindowSettings(windowSize, grace, windowRetention);
    }
}
