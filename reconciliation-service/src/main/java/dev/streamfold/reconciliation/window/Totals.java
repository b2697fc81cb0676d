package dev.streamfold.reconciliation.window;

import java.util.HashMap;
import java.util.Map;

/**
 * What the orders of one window add up to: how many count, their summed quantity, and their revenue. Revenue stays per
 * currency in minor units: amounts in different currencies are never added, and money is never a floating-point number.
 */
public record Totals(long orderCount, long quantity, Map<String, Long> revenueMinor) {

    public static final Totals NONE = new Totals(0, 0, Map.of());

    public Totals {
        revenueMinor = Map.copyOf(revenueMinor);
    }

    /** Both totals added up, currency by currency. */
    public Totals plus(Totals other) {
        Map<String, Long> revenue = new HashMap<>(revenueMinor);
        other.revenueMinor.forEach((currency, amount) -> revenue.merge(currency, amount, Math::addExact));
        return new Totals(Math.addExact(orderCount, other.orderCount), Math.addExact(quantity, other.quantity), revenue);
    }

    /** Same count, same quantity, same revenue in every currency; a currency with no revenue counts as zero. */
    boolean agreesWith(Totals other) {
        if (orderCount != other.orderCount || quantity != other.quantity) {
            return false;
        }
        return revenueMinor.entrySet().stream().allMatch(e -> e.getValue() == other.revenueIn(e.getKey()))
                && other.revenueMinor.entrySet().stream().allMatch(e -> e.getValue() == revenueIn(e.getKey()));
    }

    private long revenueIn(String currency) {
        return revenueMinor.getOrDefault(currency, 0L);
    }
}
