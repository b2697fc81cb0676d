package dev.streamfold.aggregation.category;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What the order changes one input partition applied to one category window since its last flush change in that
 * window: number of orders and revenue per currency (minor units). The category is the record key.
 *
 * <p>A change of an order takes its previous contribution back out and adds its new one, so a delta may be negative
 * (an order cancelled, deleted, cheaper, or moved to another category since the last flush); the total it is added to
 * never is, since every retraction follows the addition it undoes on the same input partition.
 *
 * <p>Sums use {@link Math#addExact} and {@link Math#subtractExact}: money that overflows a long fails loudly (and is
 * dead-lettered), it never wraps.
 *
 * @param windowStart      start (inclusive) of the window, epoch millis
 * @param orderCount       orders added minus orders taken back
 * @param revenueMinor     ISO 4217 code → sum of {@code amount_minor}; currencies are never added together
 * @param sourcePartition  the input partition that accepted the orders ({@link #UNKNOWN_PARTITION} until flushed)
 * @param sourceStreamTime that partition's stream time when it flushed: no delta of a window closed by then will
 *                         follow from it, which is what lets the final stage forget old windows safely
 */
record WindowDelta(long windowStart, long orderCount, Map<String, Long> revenueMinor, int sourcePartition,
        long sourceStreamTime) implements WindowingOutput {

    static final int UNKNOWN_PARTITION = -1;

    WindowDelta(long windowStart, long orderCount, Map<String, Long> revenueMinor) {
        this(windowStart, orderCount, revenueMinor, UNKNOWN_PARTITION, Long.MIN_VALUE);
    }

    WindowDelta {
        Objects.requireNonNull(revenueMinor, "revenueMinor");
        // Immutable; the serde writes currencies sorted, so equal deltas serialize to equal bytes.
        revenueMinor = Map.copyOf(revenueMinor);
    }

    static WindowDelta empty(long windowStart) {
        return new WindowDelta(windowStart, 0, Map.of());
    }

    /** One more order, worth the contribution's amount. @throws ArithmeticException if a sum overflows a long */
    WindowDelta plus(OrderContribution contribution) {
        Map<String, Long> revenue = new TreeMap<>(revenueMinor);
        revenue.merge(contribution.currency(), contribution.amountMinor(), Math::addExact);
        return new WindowDelta(windowStart, Math.addExact(orderCount, 1), revenue);
    }

    /**
     * One order fewer, worth the contribution's amount: the retraction of an order's previous state. A currency whose
     * sum reaches zero stays in the map (its total then shows zero, rather than losing the currency).
     *
     * @throws ArithmeticException if a difference overflows a long
     */
    WindowDelta minus(OrderContribution contribution) {
        Map<String, Long> revenue = new TreeMap<>(revenueMinor);
        revenue.merge(contribution.currency(), Math.negateExact(contribution.amountMinor()), Math::addExact);
        return new WindowDelta(windowStart, Math.subtractExact(orderCount, 1), revenue);
    }

    /** The delta as its input partition sends it: stamped with where it comes from and how far that partition is. */
    WindowDelta from(int partition, long streamTime) {
        return new WindowDelta(windowStart, orderCount, revenueMinor, partition, streamTime);
    }

    /** Revenue in a stable order, for serialization. */
    Map<String, Long> sortedRevenue() {
        return new TreeMap<>(revenueMinor);
    }
}
