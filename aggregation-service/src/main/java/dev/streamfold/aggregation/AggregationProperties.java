package dev.streamfold.aggregation;

import dev.streamfold.common.config.StreamfoldProperties;

import dev.streamfold.aggregation.window.FlushSettings;
import dev.streamfold.aggregation.window.WindowSettings;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param applicationId   Kafka Streams application id: consumer group, transactional id and internal topic prefix
 * @param stateDir        where RocksDB keeps the deduplication, stream-time, pending-delta and window stores
 * @param windowRetention how long the total of a window is kept (in event time) after the slowest input partition
 *                        has passed it; only state size depends on it, not correctness; at least window size + grace
 *                        ({@code streamfold.windows.*}, shared by every service), of tumbling and hopping windows
 * @param flushInterval   how often (wall clock) each input partition sends the partials of the windows that changed,
 *                        and its progress; about the commit interval: shorter costs more records, longer delays figures
 * @param catchUpFlushInterval how often the changed partials are sent while an input partition works through a
 *                        backlog (stream time behind the wall clock by more than the longest window + grace): less
 *                        often than live, since every window it fills ended long ago; at least the flush interval
 * @param idlePartitionTimeout unset by default: every final result waits until every input partition has passed the
 *                        window, however long one has no orders. Set (e.g. PT5M) for low traffic: a partition without
 *                        orders for that long (wall clock) is left out of the watermark until it has orders again, so
 *                        its silence no longer holds finals back; an order it gets later, or a backlog after an
 *                        outage upstream, then amends the finals it changes ({@code streamfold.final.amended})
 * @param stragglerHorizon how long after a window closed on an input partition an order on time at its source
 *                        (re-routed, or caught up after an outage) is still applied exactly; later ones go to
 *                        {@code orders.late}. Costs disk: every order's contribution is kept that much longer
 */
@Validated
@ConfigurationProperties("aggregation")
record AggregationProperties(
        @NotBlank String applicationId,
        @NotBlank String stateDir,
        @NotNull @DurationMin(millis = 1) Duration windowRetention,
        @DefaultValue("PT0.1S") @NotNull @DurationMin(millis = 1) Duration flushInterval,
        @DefaultValue("PT1S") @NotNull @DurationMin(millis = 1) Duration catchUpFlushInterval,
        @DurationMin(millis = 1) Duration idlePartitionTimeout,
        @DefaultValue("PT1H") @NotNull Duration stragglerHorizon) {

    @AssertTrue(message = "aggregation.catch-up-flush-interval must be at least aggregation.flush-interval")
    boolean isCatchUpFlushIntervalNoShorter() {
        return flushInterval == null || catchUpFlushInterval == null || catchUpFlushInterval.compareTo(flushInterval) >= 0;
    }

    /** When partials and progress are sent. */
    FlushSettings flushing() {
        return new FlushSettings(flushInterval, catchUpFlushInterval,
                idlePartitionTimeout == null ? FlushSettings.NEVER_IDLE : idlePartitionTimeout);
    }

    /** The shared windows with this service's retention; refused if the retention is shorter than a window + grace. */
    WindowSettings windows(StreamfoldProperties.Windows shared) {
        Duration longest = shared.size().compareTo(shared.hopping().size()) >= 0 ? shared.size() : shared.hopping().size();
        Duration needed = longest.plus(shared.grace()).plus(stragglerHorizon);
        if (windowRetention.compareTo(needed) < 0) {
            throw new IllegalStateException("aggregation.window-retention " + windowRetention + " must be at least the"
                    + " longest window (streamfold.windows.size or .hopping.size) + streamfold.windows.grace"
                    + " + aggregation.straggler-horizon (" + needed + ")");
        }
        return new WindowSettings(shared.tumbling(), shared.hoppingWindows(), shared.grace(), windowRetention,
                stragglerHorizon);
    }
}
