package dev.streamfold.aggregation.window;

import java.time.Duration;
import java.util.Objects;

/**
 * When each input partition sends its changed partials and its progress.
 *
 * @param interval             how often (wall clock) changed partials and progress are sent; about the commit interval
 * @param catchUpInterval      how often while the partition works through a backlog (its stream time behind the wall
 *                             clock by more than the longest window + grace, so every window it fills ended long ago);
 *                             a window closing is sent at once all the same
 * @param idlePartitionTimeout after this long without an order (wall clock), the partition reports itself idle, and
 *                             the final stage leaves it out of the watermark until it has orders again
 */
public record FlushSettings(Duration interval, Duration catchUpInterval, Duration idlePartitionTimeout) {

    /** Never idle: a partition without orders holds final results back (Kafka Streams' own behaviour). */
    public static final Duration NEVER_IDLE = Duration.ofMillis(Long.MAX_VALUE);

    public FlushSettings {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(catchUpInterval, "catchUpInterval");
        Objects.requireNonNull(idlePartitionTimeout, "idlePartitionTimeout");
        if (interval.isZero() || interval.isNegative() || catchUpInterval.compareTo(interval) < 0
                || idlePartitionTimeout.isZero() || idlePartitionTimeout.isNegative()) {
            throw new IllegalArgumentException("flush interval and idle timeout must be positive, the catch-up interval no"
                    + " shorter than the flush interval: " + interval + ", " + catchUpInterval + ", " + idlePartitionTimeout);
        }
    }

    /** The same interval live and catching up, never idle. */
    public static FlushSettings every(Duration interval) {
        return new FlushSettings(interval, interval, NEVER_IDLE);
    }
}
