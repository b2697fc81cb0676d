package dev.streamfold.aggregation.window;

import dev.streamfold.common.aggregate.WindowKind;
import dev.streamfold.common.aggregate.WindowSpec;
import java.time.Duration;
import java.util.Objects;

/**
 * The windows of every dimension: tumbling ones (every dimension; they decide lateness) and hopping ones (the
 * dimensions configured), all aligned to the epoch. A window {@code [start, end)} is closed for an input partition once
 * that partition's event-time stream time (the latest event time of the valid orders it accepted, capped at the wall
 * clock) reaches {@code end + grace}; it is closed for good, and its final result published, once every input
 * partition's has.
 *
 * @param tumbling  the tumbling windows
 * @param hopping   the hopping windows
 * @param grace     how long after its end a window still accepts orders
 * @param retention how long (in event time, behind the slowest input partition's stream time) the figures of a window
 *                  are kept once no more partials can come for it
 * @param stragglerHorizon how long after a window closed on an input partition an order that was on time at its
 *                  source (re-routed, or caught up after an outage) can still be applied to it exactly: the orders of
 *                  a window are kept that much longer; a later one goes to {@code orders.late}
 */
public record WindowSettings(WindowSpec tumbling, WindowSpec hopping, Duration grace, Duration retention,
        Duration stragglerHorizon) {

    public static final Duration DEFAULT_RETENTION = Duration.ofDays(1);
    public static final Duration DEFAULT_STRAGGLER_HORIZON = Duration.ofHours(1);

    public WindowSettings {
        Objects.requireNonNull(tumbling, "tumbling");
        Objects.requireNonNull(hopping, "hopping");
        Objects.requireNonNull(grace, "grace");
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(stragglerHorizon, "stragglerHorizon");
        if (stragglerHorizon.isNegative()) {
            throw new IllegalArgumentException("straggler horizon must not be negative: " + stragglerHorizon);
        }
        if (tumbling.kind() != WindowKind.TUMBLING || hopping.kind() != WindowKind.HOPPING) {
            throw new IllegalArgumentException("expected tumbling and hopping windows: " + tumbling + ", " + hopping);
        }
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative: " + grace);
        }
        Duration longest = longest(tumbling, hopping).plus(grace).plus(stragglerHorizon);
        if (retention.compareTo(longest) < 0) {
            throw new IllegalArgumentException("window retention " + retention + " must be at least the longest window"
                    + " + grace + straggler horizon (" + longest + ")");
        }
    }

    /**
     * Tumbling windows of {@code size}, hopping windows of five minutes advancing by one, one day of retention (or
     * more if the windows need it), stragglers applied for an hour.
     */
    public WindowSettings(Duration size, Duration grace) {
        this(WindowSpec.tumbling(size), WindowSpec.hopping(Duration.ofMinutes(5), Duration.ofMinutes(1)), grace,
                max(DEFAULT_RETENTION, max(size, Duration.ofMinutes(5)).plus(grace).plus(DEFAULT_STRAGGLER_HORIZON)),
                DEFAULT_STRAGGLER_HORIZON);
    }

    /**
     * Whether every hopping window is a run of whole tumbling windows (the tumbling size divides the hopping advance,
     * and so the hopping size): then a hopping window's figures are those of its tumbling windows combined, and the
     * final stage derives them from those panes instead of receiving partials of every hopping window.
     */
    boolean hoppingFromPanes() {
        return hopping.advanceMs() % tumbling.size().toMillis() == 0;
    }

    WindowSpec spec(WindowKind kind) {
        return kind == WindowKind.TUMBLING ? tumbling : hopping;
    }

    /** The stream time at which the window closes: its end + grace. */
    long closesAt(WindowKind kind, long windowStart) {
        return spec(kind).end(windowStart) + grace.toMillis();
    }

    /** Whether the tumbling window of an event time is closed at a stream time: what makes an order late. */
    boolean isLate(long eventTime, long streamTime) {
        return streamTime >= closesAt(WindowKind.TUMBLING, tumbling.lastStart(eventTime));
    }

    /** The earliest event time an order of a window still open at {@code streamTime} can have. */
    long earliestOpenEventTime(long streamTime) {
        return streamTime - longest(tumbling, hopping).plus(grace).toMillis();
    }

    /**
     * The event time from which orders' contributions are kept at {@code streamTime}: every window still open, and every
     * window closed for less than the straggler horizon, has all its orders there; a closed window starting earlier is
     * no longer rebuilt, and a change of an order before it is late.
     */
    long keptFrom(long streamTime) {
        return earliestOpenEventTime(streamTime) - stragglerHorizon.toMillis();
    }

    private static Duration longest(WindowSpec a, WindowSpec b) {
        return max(a.size(), b.size());
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
