package dev.streamfold.aggregation.category;

import dev.streamfold.schemas.WindowAggregate;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** How a delta changes its category's window total. */
final class CategoryWindows {

    static final String DIMENSION = "category";

    private CategoryWindows() {
    }

    static WindowAggregate empty(String category, long windowStart, long windowEnd) {
        return WindowAggregate.newBuilder()
                .setDimension(DIMENSION)
                .setDimensionValue(category)
                .setWindowStart(Instant.ofEpochMilli(windowStart))
                .setWindowEnd(Instant.ofEpochMilli(windowEnd))
                .setOrderCount(0L)
                .setRevenueMinor(Map.of())
                .build();
    }

    /**
     * Revenue is summed per currency: amounts in different currencies are never added together.
     *
     * @throws ArithmeticException if the count or the revenue of a currency overflows a long
     */
    static WindowAggregate add(WindowAggregate total, WindowDelta delta) {
        Map<String, Long> revenue = new HashMap<>(total.getRevenueMinor());
        delta.revenueMinor().forEach((currency, amount) -> revenue.merge(currency, amount, Math::addExact));
        return WindowAggregate.newBuilder(total)
                .setOrderCount(Math.addExact(total.getOrderCount(), delta.orderCount()))
                .setRevenueMinor(revenue)
                .build();
    }
}
