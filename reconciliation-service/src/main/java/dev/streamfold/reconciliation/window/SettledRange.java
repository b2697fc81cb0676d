package dev.streamfold.reconciliation.window;

import java.time.Instant;

/** The settled windows of one batch: those starting at or after {@code from} and ending at or before {@code to}. */
public record SettledRange(Instant from, Instant to) {

    public SettledRange {
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("range ends before it starts: " + from + " .. " + to);
        }
    }

    public boolean isEmpty() {
        return !to.isAfter(from);
    }

    public boolean contains(TotalWindow window) {
        return !window.start().isBefore(from) && !window.end().isAfter(to);
    }
}
