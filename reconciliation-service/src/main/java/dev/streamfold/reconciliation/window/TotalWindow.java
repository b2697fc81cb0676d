package dev.streamfold.reconciliation.window;

import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * One tumbling event-time window {@code [start, end)} of the dimension {@code total}: every order placed in it, with no
 * grouping. Its key on the aggregate and report topics is {@code WindowKey(Dimension.TOTAL_VALUE, start)}.
 */
public record TotalWindow(Instant start, Instant end) implements Comparable<TotalWindow> {

    private static final Comparator<TotalWindow> EARLIEST_FIRST =
            Comparator.comparing(TotalWindow::start).thenComparing(TotalWindow::end);

    public TotalWindow {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("window end " + end + " is not after its start " + start);
        }
    }

    /** Earliest window first. */
    @Override
    public int compareTo(TotalWindow other) {
        return EARLIEST_FIRST.compare(this, other);
    }
}
