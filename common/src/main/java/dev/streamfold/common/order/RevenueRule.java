package dev.streamfold.common.order;

import dev.streamfold.schemas.OrderOperation;
import java.util.Set;

/**
 * What counts toward revenue and order counts: an order that exists and is not cancelled. Defined once: aggregation
 * applies it to each order's latest state, and reconciliation's SQL over the source rows uses {@link #sqlCondition}, so
 * that the two can only disagree where the pipeline is wrong.
 */
public final class RevenueRule {

    /** Order statuses that count for nothing; compared exactly (the shop writes statuses in upper case). */
    public static final Set<String> EXCLUDED_STATUSES = Set.of("CANCELLED");

    private RevenueRule() {
    }

    /** Whether an order in this state counts: not deleted, and not in an excluded status. */
    public static boolean counts(OrderOperation operation, String status) {
        return operation != OrderOperation.DELETE && !EXCLUDED_STATUSES.contains(status);
    }

    /**
     * The same rule as a SQL condition over the {@code orders} table (rows that exist are not deleted), e.g.
     * {@code o.status NOT IN ('CANCELLED')} for the alias {@code o}.
     */
    public static String sqlCondition(String ordersAlias) {
        StringBuilder condition = new StringBuilder(ordersAlias).append(".status NOT IN (");
        String separator = "";
        for (String status : EXCLUDED_STATUSES.stream().sorted().toList()) {
            condition.append(separator).append('\'').append(status.replace("'", "''")).append('\'');
            separator = ", ";
        }
        return condition.append(')').toString();
    }
}
