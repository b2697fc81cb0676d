package dev.streamfold.aggregation;

import dev.streamfold.common.config.StreamfoldProperties;

import dev.streamfold.aggregation.category.WindowSettings;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * @param applicationId   Kafka Streams application id: consumer group, transactional id and internal topic prefix
 * @param stateDir        where RocksDB keeps the deduplication, stream-time, pending-delta and window stores
 * @param windowRetention how long the total of a window is kept (in event time) after the slowest input partition
 *                        has passed it; only state size depends on it, not correctness; at least window size + grace
 *                        ({@code streamfold.windows.*}, shared by every service)
 */
@Validated
@ConfigurationProperties("aggregation")
record AggregationProperties(
        @NotBlank String applicationId,
        @NotBlank String stateDir,
        @NotNull @DurationMin(millis = 1) Duration windowRetention) {

    /** The shared windows with this service's retention; refused if the retention is shorter than size + grace. */
    WindowSettings windows(StreamfoldProperties.Windows shared) {
        if (windowRetention.compareTo(shared.size().plus(shared.grace())) < 0) {
            throw new IllegalStateException("aggregation.window-retention " + windowRetention + " must be at least"
                    + " streamfold.windows.size + streamfold.windows.grace (" + shared.size().plus(shared.grace()) + ")");
        }
        return new WindowSettings(shared.size(), shared.grace(), windowRetention);
    }
}
