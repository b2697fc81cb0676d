package dev.streamfold.reconciliation.window;

import dev.streamfold.schemas.ReconciliationStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Compares the totals SQL expects with the totals the pipeline produced, window by window. Pure: no I/O. */
public final class WindowComparison {

    private WindowComparison() {
    }

    /**
     * One verdict for every window present on either side, earliest first; a window missing on one side counts as zero
     * orders there, so a window the pipeline never produced (or produced from orders SQL does not know) is a mismatch.
     * A window matches iff its order count, its quantity and every currency's revenue agree.
     */
    public static List<WindowVerdict> compare(Map<TotalWindow, Totals> expected, Map<TotalWindow, Totals> actual,
            Instant checkedAt) {
        Set<TotalWindow> windows = new TreeSet<>(expected.keySet());
        windows.addAll(actual.keySet());
        return windows.stream()
                .map(window -> verdict(window, expected.getOrDefault(window, Totals.NONE),
                        actual.getOrDefault(window, Totals.NONE), checkedAt))
                .toList();
    }

    private static WindowVerdict verdict(TotalWindow window, Totals expected, Totals actual, Instant checkedAt) {
        ReconciliationStatus status = expected.agreesWith(actual) ? ReconciliationStatus.MATCH : ReconciliationStatus.MISMATCH;
        return new WindowVerdict(window, status, expected, actual, checkedAt);
    }
}
