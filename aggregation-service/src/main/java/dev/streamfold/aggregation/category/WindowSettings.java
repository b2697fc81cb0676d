package dev.streamfold.aggregation.category;

import java.time.Duration;
import java.util.Objects;

/**
 * Tumbling event-time windows, aligned to the epoch: an order counts in the window its event time falls into. A window
 * {@code [start, end)} is closed for an input partition once that partition's event-time stream time (the latest event
 * time of the valid orders it accepted, capped at the wall clock) reaches {@code end + grace}.
 *
 * @param size      length of a window
 * @param grace     how long after its end a window still accepts orders
 * @param retention how long (in event time, behind the watermark: the slowest input partition's stream time) the
 *                  total of a window is kept once no more deltas can come for it
 */
public record WindowSettings(Duration size, Duration grace, Duration retention) {

    public static final Duration DEFAULT_RETENTION = Duration.ofDays(1);

    public WindowSettings {
        Objects.requireNonNull(size, "size");
        Objects.requireNonNull(grace, "grace");
        Objects.requireNonNull(retention, "retention");
        if (size.isZero() || size.isNegative()) {
            throw new IllegalArgumentException("window size must be positive: " + size);
        }
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative: " + grace);
        }
        if (retention.compareTo(size.plus(grace)) < 0) {
            throw new IllegalArgumentException("window retention " + retention + " must be at least window size + grace ("
                    + size.plus(grace) + ")");
        }
    }

    /** With the default retention (one day, or window size + grace if that is longer). */
    public WindowSettings(Duration size, Duration grace) {
        this(size, grace, max(DEFAULT_RETENTION, size.plus(grace)));
    }

    /** Start (inclusive) of the window an event time falls into. */
    long windowStart(long eventTimeMs) {
        return eventTimeMs - Math.floorMod(eventTimeMs, size.toMillis());
    }

    /** End (exclusive) of the window starting at {@code windowStartMs}. */
    long windowEnd(long windowStartMs) {
        return windowStartMs + size.toMillis();
    }

    /** The stream time at which the window starting at {@code windowStartMs} closes: its end + grace. */
    long closesAt(long windowStartMs) {
        return windowEnd(windowStartMs) + grace.toMillis();
    }

    /** Whether the window starting at {@code windowStartMs} is closed at {@code streamTimeMs}: stream time >= end + grace. */
    boolean isClosed(long windowStartMs, long streamTimeMs) {
        return streamTimeMs >= closesAt(windowStartMs);
    }

    /**
     * How long an order's contribution must be remembered, in event time: until its window has closed for the input
     * partition, after which a change of it is normally late. An order whose event time lies up to {@code maxEventTimeAhead} in the
     * future is accepted (clock skew) and moves the store's own clock that far, so that much is added: the
     * contribution of an order of any window still open is then never forgotten.
     */
    Duration contributionRetention(Duration maxEventTimeAhead) {
        return size.plus(grace).plus(maxEventTimeAhead);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
