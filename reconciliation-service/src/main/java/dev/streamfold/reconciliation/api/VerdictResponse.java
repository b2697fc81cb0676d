package dev.streamfold.reconciliation.api;

import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.reconciliation.window.WindowVerdict;
import dev.streamfold.schemas.ReconciliationStatus;
import java.time.Instant;
import java.util.Map;

/**
 * One published verdict as JSON: the fields of the {@code ReconciliationReport} record, plus both sides' quantity,
 * which the verdict compares but the report's schema has no field for.
 */
record VerdictResponse(String dimension, String dimensionValue, Instant windowStart, Instant windowEnd,
        ReconciliationStatus status, long expectedOrderCount, long actualOrderCount, long expectedQuantity,
        long actualQuantity, Map<String, Long> expectedRevenueMinor, Map<String, Long> actualRevenueMinor,
        Instant checkedAt) {

    static VerdictResponse of(WindowVerdict verdict) {
        return new VerdictResponse(Dimension.TOTAL.id(), Dimension.TOTAL_VALUE, verdict.window().start(),
                verdict.window().end(), verdict.status(), verdict.expected().orderCount(), verdict.actual().orderCount(),
                verdict.expected().quantity(), verdict.actual().quantity(), verdict.expected().revenueMinor(),
                verdict.actual().revenueMinor(), verdict.checkedAt());
    }
}
