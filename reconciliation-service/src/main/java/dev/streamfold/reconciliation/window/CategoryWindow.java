package dev.streamfold.reconciliation.window;

import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/** One category in one tumbling event-time window: {@code [start, end)}. */
public record CategoryWindow(String category, Instant start, Instant end) {

    public static final Comparator<CategoryWindow> BY_START_THEN_CATEGORY =
            Comparator.comparing(CategoryWindow::start).thenComparing(CategoryWindow::category);

    public CategoryWindow {
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("window end " + end + " is not after its start " + start);
        }
    }
}
