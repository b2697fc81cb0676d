package dev.streamfold.common.aggregate;

import java.time.Duration;
import java.util.Objects;

/**
 * Event-time windows aligned to the epoch: {@code [start, start + size)} for every start that is a multiple of
 * {@code advance}. Tumbling windows advance by their size (an order falls into exactly one), hopping windows by less
 * (an order falls into {@code size / advance} of them).
 *
 * @param kind    tumbling or hopping
 * @param size    length of a window, whole milliseconds
 * @param advance distance between two window starts; divides {@code size}
 */
public record WindowSpec(WindowKind kind, Duration size, Duration advance) {

    public WindowSpec {
        Objects.requireNonNull(kind, "kind");
        requirePositiveMillis(size, "window size");
        requirePositiveMillis(advance, "window advance");
        if (size.toMillis() % advance.toMillis() != 0) {
            throw new IllegalArgumentException("window advance " + advance + " must divide the window size " + size);
        }
        if (kind == WindowKind.TUMBLING && !size.equals(advance)) {
            throw new IllegalArgumentException("tumbling windows advance by their size: " + size + " vs " + advance);
        }
    }

    public static WindowSpec tumbling(Duration size) {
        return new WindowSpec(WindowKind.TUMBLING, size, size);
    }

    public static WindowSpec hopping(Duration size, Duration advance) {
        return new WindowSpec(WindowKind.HOPPING, size, advance);
    }

    /** The latest window start at or before the event time; the earliest is {@link #firstStart(long)}. */
    public long lastStart(long eventTimeMs) {
        return eventTimeMs - Math.floorMod(eventTimeMs, advance.toMillis());
    }

    /** The earliest start of a window containing the event time. */
    public long firstStart(long eventTimeMs) {
        return lastStart(eventTimeMs) - size.toMillis() + advance.toMillis();
    }

    /** Exclusive end of the window starting at {@code startMs}. */
    public long end(long startMs) {
        return startMs + size.toMillis();
    }

    public long advanceMs() {
        return advance.toMillis();
    }

    private static void requirePositiveMillis(Duration duration, String what) {
        Objects.requireNonNull(duration, what);
        if (duration.isNegative() || duration.isZero() || duration.toNanos() % 1_000_000 != 0) {
            throw new IllegalArgumentException(what + " must be a positive whole number of milliseconds: " + duration);
        }
    }
}
