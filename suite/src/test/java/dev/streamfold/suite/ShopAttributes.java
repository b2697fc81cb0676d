package dev.streamfold.suite;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The test's own record of what each customer's country and each product's category was, and from when: the truth
 * an order's dimensions are judged by (the value valid at its event time), kept apart from anything the pipeline says.
 */
final class ShopAttributes {

    private final Map<Long, NavigableMap<Instant, String>> countries = new HashMap<>();
    private final Map<Long, NavigableMap<Instant, String>> categories = new HashMap<>();

    synchronized void country(long customerId, Instant validFrom, String country) {
        countries.computeIfAbsent(customerId, id -> new TreeMap<>()).put(validFrom, country);
    }

    synchronized void category(long productId, Instant validFrom, String category) {
        categories.computeIfAbsent(productId, id -> new TreeMap<>()).put(validFrom, category);
    }

    synchronized String countryAt(long customerId, Instant eventTime) {
        return valueAt(countries.get(customerId), eventTime, "customer " + customerId);
    }

    synchronized String categoryAt(long productId, Instant eventTime) {
        return valueAt(categories.get(productId), eventTime, "product " + productId);
    }

    private static String valueAt(NavigableMap<Instant, String> history, Instant eventTime, String what) {
        Map.Entry<Instant, String> valid = history == null ? null : history.floorEntry(eventTime);
        if (valid == null) {
            throw new IllegalStateException(what + " has no value at " + eventTime);
        }
        return valid.getValue();
    }
}
