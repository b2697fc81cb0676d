package dev.streamfold.reconciliation.truth;

import dev.streamfold.common.order.RevenueRule;
import dev.streamfold.reconciliation.window.CategoryWindow;
import dev.streamfold.reconciliation.window.SettledRange;
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

/** The source of truth: order count and revenue per category window, computed by SQL over the shop's tables. */
@Repository
public class OrderTotalsRepository {

    /*
     * Windows are aligned in SQL the way Kafka Streams aligns them: floor(epoch millis / size) * size. Orders count
     * by the shared RevenueRule (the one the aggregation applies to each order's latest state); deleted rows are gone
     * from the table. The created_at range keeps the index usable.
     */
    private static final String TOTALS_BY_CATEGORY_WINDOW_AND_CURRENCY = """
            SELECT p.category AS category,
                   o.currency AS currency,
                   (floor(extract(epoch FROM o.created_at) * 1000 / :windowMillis) * :windowMillis)::bigint AS window_start_millis,
                   count(*) AS order_count,
                   sum(o.amount) AS revenue_minor
            FROM orders o
            JOIN products p ON p.id = o.product_id
            WHERE o.created_at >= :from AND o.created_at < :to AND %s
            GROUP BY p.category, o.currency, window_start_millis
            """.formatted(RevenueRule.sqlCondition("o"));

    private final JdbcClient jdbc;

    OrderTotalsRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Map<CategoryWindow, Totals> totals(SettledRange range, TumblingWindows windows) {
        List<CurrencyRow> rows = jdbc.sql(TOTALS_BY_CATEGORY_WINDOW_AND_CURRENCY)
                .param("windowMillis", windows.sizeMillis())
                .param("from", OffsetDateTime.ofInstant(range.from(), ZoneOffset.UTC))
                .param("to", OffsetDateTime.ofInstant(range.to(), ZoneOffset.UTC))
                .query((row, rowNumber) -> new CurrencyRow(
                        row.getString("category"),
                        Instant.ofEpochMilli(row.getLong("window_start_millis")),
                        row.getString("currency").strip(),
                        row.getLong("order_count"),
                        row.getLong("revenue_minor")))
                .list();
        Map<CategoryWindow, Totals> totals = new HashMap<>();
        for (CurrencyRow row : rows) {
            CategoryWindow window = new CategoryWindow(row.category(), row.windowStart(), windows.endOf(row.windowStart()));
            totals.merge(window, new Totals(row.orderCount(), Map.of(row.currency(), row.revenueMinor())), Totals::plus);
        }
        return totals;
    }

    private record CurrencyRow(String category, Instant windowStart, String currency, long orderCount, long revenueMinor) {
    }
}
