package dev.streamfold.suite;

import dev.streamfold.common.aggregate.Dimension;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * What every tumbling window of every dimension must hold, computed by the test from orders it knows count (SQL over
 * the source rows, its own ledger of direct orders) and the attributes valid at their event times: per window, the
 * order count and revenue per currency, as {@code "<count> orders {currency=sum}"}, keyed
 * {@code "<dimension>/<value>@<window start>"}.
 */
final class WindowTruth {

    private final long windowMillis;
    private final Map<String, Figures> windows = new TreeMap<>();

    WindowTruth(java.time.Duration window) {
        this.windowMillis = window.toMillis();
    }

    /** One order that counts, with its values in every dimension. */
    void count(Instant eventTime, String category, String country, long customerId, String currency, long amountMinor) {
        Instant start = Instant.ofEpochMilli(Math.floorDiv(eventTime.toEpochMilli(), windowMillis) * windowMillis);
        add(key(Dimension.CATEGORY, category, start), currency, amountMinor);
        add(key(Dimension.COUNTRY, country, start), currency, amountMinor);
        add(key(Dimension.CUSTOMER, Long.toString(customerId), start), currency, amountMinor);
        add(key(Dimension.TOTAL, Dimension.TOTAL_VALUE, start), currency, amountMinor);
    }

    Map<String, String> figures() {
        Map<String, String> figures = new TreeMap<>();
        windows.forEach((key, window) -> figures.put(key, describe(window.orders, window.revenue)));
        return figures;
    }

    long orderCount(Dimension dimension) {
        return windows.entrySet().stream().filter(entry -> entry.getKey().startsWith(dimension.id() + "/"))
                .mapToLong(entry -> entry.getValue().orders).sum();
    }

    static String key(Dimension dimension, String value, Instant windowStart) {
        return dimension.id() + "/" + value + "@" + windowStart;
    }

    static String describe(long orders, Map<String, Long> revenue) {
        return orders + " orders " + new TreeMap<>(revenue);
    }

    private void add(String key, String currency, long amountMinor) {
        Figures window = windows.computeIfAbsent(key, k -> new Figures());
        window.orders++;
        window.revenue.merge(currency, amountMinor, Math::addExact);
    }

    private static final class Figures {
        private long orders;
        private final Map<String, Long> revenue = new TreeMap<>();
    }
}
