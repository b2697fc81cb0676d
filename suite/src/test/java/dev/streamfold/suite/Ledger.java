package dev.streamfold.suite;

import dev.streamfold.schemas.Order;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The truth a test keeps independently of the pipeline: per category and one-minute window, the orders it placed
 * that must be counted, and their revenue per currency.
 */
final class Ledger {

    private static final Duration WINDOW = Duration.ofMinutes(1);

    private final Map<Key, Totals> windows = new HashMap<>();

    synchronized void counted(Order order, String category) {
        windows.computeIfAbsent(new Key(category, windowOf(order.getEventTime())), key -> new Totals())
                .add(order.getCurrency(), order.getAmountMinor());
    }

    synchronized Map<Key, Totals> windows() {
        return new TreeMap<>(windows);
    }

    /** Per window, {@code "<count> orders {currency=sum}"}: compared as a whole, so a difference shows where it is. */
    synchronized Map<Key, String> totals() {
        Map<Key, String> totals = new TreeMap<>();
        windows.forEach((key, window) -> totals.put(key, window.toString()));
        return totals;
    }

    synchronized long orderCount() {
        return windows.values().stream().mapToLong(Totals::orderCount).sum();
    }

    static Instant windowOf(Instant eventTime) {
        long size = WINDOW.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(eventTime.toEpochMilli(), size) * size);
    }

    record Key(String category, Instant windowStart) implements Comparable<Key> {
        @Override
        public int compareTo(Key other) {
            int byCategory = category.compareTo(other.category);
            return byCategory != 0 ? byCategory : windowStart.compareTo(other.windowStart);
        }
    }

    static final class Totals {
        private long orderCount;
        private final Map<String, Long> revenue = new TreeMap<>();

        void add(String currency, long amountMinor) {
            orderCount++;
            revenue.merge(currency, amountMinor, Math::addExact);
        }

        long orderCount() {
            return orderCount;
        }

        Map<String, Long> revenue() {
            return revenue;
        }

        @Override
        public String toString() {
            return describe(orderCount, revenue);
        }

        static String describe(long orderCount, Map<String, Long> revenue) {
            return orderCount + " orders " + new TreeMap<>(revenue);
        }
    }
}
