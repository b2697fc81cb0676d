package dev.streamfold.suite;

import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.aggregate.WindowKind;
import dev.streamfold.common.aggregate.WindowSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What every tumbling window of every dimension, and every hopping window of the hopping dimensions, must hold, computed by the test from orders it knows count (SQL over
 * the source rows, its own ledger of direct orders) and the attributes valid at their event times: per window, the
 * order count and revenue per currency, as {@code "<count> orders {currency=sum}"}, keyed
 * {@code "<dimension>[.hopping]/<value>@<window start>"}.
 */
final class WindowTruth {

    private final long windowMillis;
    private final WindowSpec hopping;
    private final List<Dimension> hoppingDimensions;
    private final Map<String, Figures> windows = new TreeMap<>();

    WindowTruth(java.time.Duration window, WindowSpec hopping, List<Dimension> hoppingDimensions) {
        this.windowMillis = window.toMillis();
        this.hopping = hopping;
        this.hoppingDimensions = List.copyOf(hoppingDimensions);
    }

    /** One order that counts, with its values in every dimension. */
    void count(Instant eventTime, String category, String country, long customerId, String currency, long amountMinor) {
        Instant start = Instant.ofEpochMilli(Math.floorDiv(eventTime.toEpochMilli(), windowMillis) * windowMillis);
        add(key(Dimension.CATEGORY, category, start), currency, amountMinor);
        add(key(Dimension.COUNTRY, country, start), currency, amountMinor);
        add(key(Dimension.CUSTOMER, Long.toString(customerId), start), currency, amountMinor);
        add(key(Dimension.TOTAL, Dimension.TOTAL_VALUE, start), currency, amountMinor);
        long time = eventTime.toEpochMilli();
        for (Dimension dimension : hoppingDimensions) {
            String value = switch (dimension) {
                case CATEGORY -> category;
                case COUNTRY -> country;
                case CUSTOMER -> Long.toString(customerId);
                case TOTAL -> Dimension.TOTAL_VALUE;
            };
            for (long from = hopping.firstStart(time); from <= time; from += hopping.advanceMs()) {
                add(key(dimension, WindowKind.HOPPING, value, Instant.ofEpochMilli(from)), currency, amountMinor);
            }
        }
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
        return key(dimension, WindowKind.TUMBLING, value, windowStart);
    }

    static String key(Dimension dimension, WindowKind kind, String value, Instant windowStart) {
        return dimension.id() + (kind == WindowKind.HOPPING ? ".hopping" : "") + "/" + value + "@" + windowStart;
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
