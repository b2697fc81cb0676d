package dev.streamfold.query.category;

import dev.streamfold.schemas.WindowAggregate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The JSON body of a category query; money stays in integer minor units per currency. */
record CategoryWindowsResponse(String dimension, String value, Instant from, Instant to, List<Window> windows) {

    static final String DIMENSION = "category";

    record Window(Instant windowStart, Instant windowEnd, long orderCount, Map<String, Long> revenueMinor) {

        static Window of(WindowAggregate aggregate) {
            return new Window(aggregate.getWindowStart(), aggregate.getWindowEnd(), aggregate.getOrderCount(),
                    new TreeMap<>(aggregate.getRevenueMinor()));
        }
    }

    static CategoryWindowsResponse of(String category, TimeRange range, List<WindowAggregate> aggregates) {
        return new CategoryWindowsResponse(DIMENSION, category, range.from(), range.to(),
                aggregates.stream().map(Window::of).toList());
    }
}
