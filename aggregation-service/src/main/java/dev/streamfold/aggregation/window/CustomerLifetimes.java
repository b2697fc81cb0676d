package dev.streamfold.aggregation.window;

import dev.streamfold.schemas.CustomerLifetime;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** How an order change moves a customer's lifetime totals: the same retract + add as in the windows. */
final class CustomerLifetimes {

    private CustomerLifetimes() {
    }

    static CustomerLifetime empty(String customerId) {
        return new CustomerLifetime(customerId, 0L, 0L, Map.of(), null, null);
    }

    /** @throws ArithmeticException if a sum overflows a long */
    static CustomerLifetime apply(CustomerLifetime lifetime, OrderContribution previous, OrderContribution current,
            long eventTime) {
        long orders = lifetime.getOrderCount();
        long quantity = lifetime.getQuantity();
        Map<String, Long> revenue = new TreeMap<>(lifetime.getRevenueMinor());
        if (previous != null && previous.counts()) {
            orders = Math.subtractExact(orders, 1);
            quantity = Math.subtractExact(quantity, previous.quantity());
            revenue.merge(previous.currency(), Math.negateExact(previous.amountMinor()), Math::addExact);
        }
        Instant first = lifetime.getFirstOrderAt();
        Instant last = lifetime.getLastOrderAt();
        if (current.counts()) {
            orders = Math.addExact(orders, 1);
            quantity = Math.addExact(quantity, current.quantity());
            revenue.merge(current.currency(), current.amountMinor(), Math::addExact);
            Instant placed = Instant.ofEpochMilli(eventTime);
            first = first == null || placed.isBefore(first) ? placed : first;
            last = last == null || placed.isAfter(last) ? placed : last;
        }
        return new CustomerLifetime(lifetime.getCustomerId(), orders, quantity, revenue, first, last);
    }
}
