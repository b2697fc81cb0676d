package dev.streamfold.reconciliation.window;

import dev.streamfold.schemas.ReconciliationStatus;
import java.time.Instant;
import java.util.Objects;

/**
 * What one micro-batch concluded about one window.
 *
 * @param expected from SQL over the source tables
 * @param actual   from the aggregate topic
 */
public record WindowVerdict(TotalWindow window, ReconciliationStatus status, Totals expected, Totals actual,
        Instant checkedAt) {

    public WindowVerdict {
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(actual, "actual");
        Objects.requireNonNull(checkedAt, "checkedAt");
    }

    /** Same conclusion from the same numbers, whenever it was checked: nothing new to publish. */
    public boolean sameOutcomeAs(WindowVerdict other) {
        return other != null && window.equals(other.window) && status == other.status
                && expected.equals(other.expected) && actual.equals(other.actual);
    }
}
