package dev.streamfold.reconciliation.api;

import dev.streamfold.reconciliation.window.WindowVerdict;
import dev.streamfold.schemas.ReconciliationStatus;
import java.time.Instant;
import java.util.Map;

/** One published verdict as JSON: the fields of the {@code ReconciliationReport} record. */
record VerdictResponse(String category, Instant windowStart, Instant windowEnd, ReconciliationStatus status,
        long expectedOrderCount, long actualOrderCount, Map<String, Long> expectedRevenueMinor,
        Map<String, Long> actualRevenueMinor, Instant checkedAt) {

    static VerdictResponse of(WindowVerdict verdict) {
        return new VerdictResponse(verdict.window().category(), verdict.window().start(), verdict.window().end(),
                verdict.status(), verdict.expected().orderCount(), verdict.actual().orderCount(),
                verdict.expected().revenueMinor(), verdict.actual().revenueMinor(), verdict.checkedAt());
    }
}
