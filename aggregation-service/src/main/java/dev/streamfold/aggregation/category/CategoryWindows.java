package dev.streamfold.aggregation.category;

import dev.streamfold.schemas.EnrichedOrder;
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;

/** How one order changes its category's window, and how a window is published. */
final class CategoryWindows {

    static final String DIMENSION = "category";

    private CategoryWindows() {
    }

    /**
     * The aggregator never sees the window it works on, so bounds are left at the epoch in the store and filled
     * in from the store's windowed key on the way out ({@link #published}).
     */
    static WindowAggregate empty() {
        return WindowAggregate.newBuilder()
                .setDimension(DIMENSION)
                .setDimensionValue("")
                .setWindowStart(Instant.EPOCH)
                .setWindowEnd(Instant.EPOCH)
                .setOrderCount(0L)
                .setRevenueMinor(Map.of())
                .build();
    }

    /** Revenue is summed per currency: amounts in different currencies are never added together. */
    static WindowAggregate add(String category, EnrichedOrder order, WindowAggregate window) {
        Map<String, Long> revenue = new HashMap<>(window.getRevenueMinor());
        // addExact: money that overflows must fail loudly (and be dead-lettered), never wrap around.
        revenue.merge(order.getCurrency(), order.getAmountMinor(), Math::addExact);
        return WindowAggregate.newBuilder(window)
                .setDimensionValue(category)
                .setOrderCount(window.getOrderCount() + 1)
                .setRevenueMinor(revenue)
                .build();
    }

    static KeyValue<WindowKey, WindowAggregate> published(Windowed<String> window, WindowAggregate aggregate) {
        Instant start = window.window().startTime();
        WindowKey key = new WindowKey(window.key(), start);
        WindowAggregate value = WindowAggregate.newBuilder(aggregate)
                .setDimensionValue(window.key())
                .setWindowStart(start)
                .setWindowEnd(window.window().endTime())
                .build();
        return KeyValue.pair(key, value);
    }
}
