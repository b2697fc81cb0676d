package dev.streamfold.aggregation.category;

import dev.streamfold.schemas.EnrichedOrder;
import dev.streamfold.schemas.OrderSource;
import dev.streamfold.schemas.WindowAggregate;
import java.time.Instant;
import java.util.Map;

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
}
