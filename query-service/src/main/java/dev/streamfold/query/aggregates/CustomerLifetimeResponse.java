package dev.streamfold.query.aggregates;

import dev.streamfold.schemas.CustomerLifetime;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** The JSON body of a customer's lifetime totals; {@code firstOrderAt}/{@code lastOrderAt} are event times or null. */
record CustomerLifetimeResponse(String customerId, long orderCount, long quantity, Map<String, Long> revenueMinor,
        Instant firstOrderAt, Instant lastOrderAt) {

    static CustomerLifetimeResponse of(CustomerLifetime lifetime) {
        return new CustomerLifetimeResponse(lifetime.getCustomerId(), lifetime.getOrderCount(), lifetime.getQuantity(),
                new TreeMap<>(lifetime.getRevenueMinor()), lifetime.getFirstOrderAt(), lifetime.getLastOrderAt());
    }
}
