package dev.streamfold.reconciliation.truth;

import dev.streamfold.common.order.RevenueRule;
import dev.streamfold.reconciliation.window.SettledRange;
import dev.streamfold.reconciliation.window.TotalWindow;
import dev.streamfold.reconciliation.window.Totals;
import dev.streamfold.reconciliation.window.TumblingWindows;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The source of truth: order count, quantity and revenue of every window (the dimension {@code total}), computed by SQL
 * over the {@code orders} table alone. No other table is read: what a product or customer is now (or was then) cannot
 * change a window's total, so this figure is exact whatever changed after the orders.
 */
@Repository
public class OrderTotalsRepository {

    /*
     * Windows are aligned in SQL the way Kafka Streams aligns them: floor(epoch millis / size) * size. Orders count
     * by the shared RevenueRule (the one the aggregation applies to each order's latest state); deleted rows are gone
     * from the table. The created_at range keeps the index usable. One row per window and currency: revenue is never
     * added across currencies; count and quantity are added up over a window's rows in Java.
     */
    private static final String TOTALS_BY_WINDOW_AND_CURRENCY = """
            SELECT (floor(extract(epoch FROM o.created_at) * 1000 / :windowMillis) * :windowMillis)::bigint AS window_start_millis,
                   o.currency AS currency,
                   count(*) AS order_count,
                   sum(o.quantity) AS quantity,
                   sum(o.amount) AS revenue_minor
            FROM orders o
            WHERE o.created_at >= :from AND o.created_at < :to AND %s
            GROUP BY window_start_millis, o.currency
            """.formatted(RevenueRule.sqlCondition("o"));

    private final JdbcClient jdbc;

    OrderTotalsRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The totals of every window in {@code range} that holds at least one order that counts. */
    public Map<TotalWindow, Totals> totals(SettledRange range, TumblingWindows windows) {
        List<CurrencyRow> rows = jdbc.sql(TOTALS_BY_WINDOW_AND_CURRENCY)
                .param("windowMillis", windows.sizeMillis())
                .param("from", OffsetDateTime.ofInstant(range.from(), ZoneOffset.UTC))
                .param("to", OffsetDateTime.ofInstant(range.to(), ZoneOffset.UTC))
                .query((row, rowNumber) -> new CurrencyRow(
                        Instant.ofEpochMilli(row.getLong("window_start_millis")),
                        row.getString("currency").strip(),
                        row.getLong("order_count"),
                        row.getLong("quantity"),
                        row.getLong("revenue_minor")))
                .list();
        Map<TotalWindow, Totals> totals = new HashMap<>();
        for (CurrencyRow row : rows) {
            TotalWindow window = new TotalWindow(row.windowStart(), windows.endOf(row.windowStart()));
            totals.merge(window, new Totals(row.orderCount(), row.quantity(), Map.of(row.currency(), row.revenueMinor())),
                    Totals::plus);
        }
        return totals;
    }

    private record CurrencyRow(Instant windowStart, String currency, long orderCount, long quantity, long revenueMinor) {
    }
}
