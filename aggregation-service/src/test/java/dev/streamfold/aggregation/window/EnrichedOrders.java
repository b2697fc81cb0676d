package dev.streamfold.aggregation.window;

import dev.streamfold.schemas.EnrichedOrder;
import dev.streamfold.schemas.OrderOperation;
import dev.streamfold.schemas.OrderSource;
import dev.streamfold.schemas.WindowAggregate;
import java.time.Instant;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Test data: enriched orders and the window aggregates they should add up to. */
public final class EnrichedOrders {

    private EnrichedOrders() {
    }

    public static EnrichedOrder order(String eventId, long customerId, String category, long amountMinor, String currency,
            Instant eventTime) {
        return EnrichedOrder.newBuilder()
                .setEventId(eventId)
                .setOrderId(Math.floorMod(eventId.hashCode(), 1_000_000_000) + 1L)
                .setCustomerId(customerId)
                .setProductId(7L)
                .setQuantity(1)
                .setAmountMinor(amountMinor)
                .setCurrency(currency)
                .setStatus("PLACED")
                .setEventTime(eventTime)
                .setSource(OrderSource.DIRECT)
                .setCustomerCountry("NL")
                .setCustomerTier("GOLD")
                .setCustomerEmailMasked("a***@example.com")
                .setProductName("product of " + category)
                .setProductCategory(category)
                .build();
    }

    /**
     * A row of the shop's orders table as ingest reads it when inserted: source DATABASE, the given version, event id
     * {@code pg:orders:<order id>:<version>}.
     */
    public static EnrichedOrder databaseOrder(long orderId, long version, long customerId, String category, long amountMinor,
            String currency, Instant eventTime) {
        return EnrichedOrder.newBuilder(order("pg:orders:" + orderId + ":" + version, customerId, category, amountMinor,
                        currency, eventTime))
                .setOrderId(orderId)
                .setSource(OrderSource.DATABASE)
                .setOperation(OrderOperation.INSERT)
                .setVersion(version)
                .build();
    }

    /**
     * A later change event of the same order: same order id, source and event time (its placement), the given version
     * and operation, an event id naming that version, and whatever else {@code change} sets.
     */
    public static EnrichedOrder changed(EnrichedOrder order, long version, OrderOperation operation,
            UnaryOperator<EnrichedOrder.Builder> change) {
        String eventId = order.getSource() == OrderSource.DATABASE
                ? "pg:orders:" + order.getOrderId() + ":" + version
                : "direct:" + order.getOrderId() + ":" + version;
        return change.apply(EnrichedOrder.newBuilder(order)
                        .setEventId(eventId)
                        .setVersion(version)
                        .setOperation(operation))
                .build();
    }

    public static WindowAggregate window(String category, Instant start, Instant end, long orders, Map<String, Long> revenue) {
        return WindowAggregate.newBuilder()
                .setDimension("category")
                .setDimensionValue(category)
                .setWindowStart(start)
                .setWindowEnd(end)
                .setOrderCount(orders)
                .setRevenueMinor(revenue)
                .build();
    }

    /** Only what the exact tests compare: the window, its order count and its revenue (the rest set to defaults). */
    public static WindowAggregate figures(WindowAggregate aggregate) {
        return aggregate == null ? null : window(aggregate.getDimensionValue(), aggregate.getWindowStart(),
                aggregate.getWindowEnd(), aggregate.getOrderCount(), aggregate.getRevenueMinor());
    }

    public static <K> java.util.Map<K, WindowAggregate> figures(java.util.Map<K, WindowAggregate> aggregates) {
        java.util.Map<K, WindowAggregate> figures = new java.util.LinkedHashMap<>();
        aggregates.forEach((key, value) -> figures.put(key, figures(value)));
        return figures;
    }

    public static java.util.List<WindowAggregate> figures(java.util.List<WindowAggregate> aggregates) {
        return aggregates.stream().map(EnrichedOrders::figures).toList();
    }
}
