package dev.streamfold.aggregation.window;

import dev.streamfold.schemas.DistinctEstimate;
import dev.streamfold.schemas.ValueQuantiles;
import dev.streamfold.schemas.WindowAggregate;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;
import org.apache.kafka.common.errors.SerializationException;

/**
 * What a set of orders adds up to in one window: order count, quantity and revenue per currency (exact, with
 * {@link Math#addExact}: an overflow fails loudly, it never wraps), the smallest and largest order per currency, the
 * distinct customers (HyperLogLog, lgK {@value #HLL_LG_K}: relative standard error 1.6 %, bounds at two standard
 * deviations) and the order values per currency ({@link ValueDistribution}).
 *
 * <p>Each input partition keeps one per open window and value in memory (rebuilt from its contributions store), and
 * sends it whole when it changed; the final stage keeps the latest of each input partition and {@link #combine}s them.
 * So a partial is replaced, never added twice, and a re-sent one changes nothing.
 *
 * <p>Count, quantity and revenue can take an order back out ({@link #subtract}); the minimum, maximum and sketches
 * cannot, so a window that lost an order is rebuilt from the contributions that count now.
 */
final class Partial {

    static final int HLL_LG_K = 12;
    /** Two standard deviations: about 95.4 % of estimates fall within the bounds. */
    static final int HLL_BOUND_STDDEVS = 2;
    private static final byte VERSION = 1;

    private long orderCount;
    private long quantity;
    private final TreeMap<String, Long> revenue = new TreeMap<>();
    private final TreeMap<String, Long> min = new TreeMap<>();
    private final TreeMap<String, Long> max = new TreeMap<>();
    private HllSketch customers;
    private final TreeMap<String, ValueDistribution> values = new TreeMap<>();

    /** Adds an order that counts. @throws ArithmeticException if a sum overflows a long */
    void add(OrderContribution order) {
        orderCount = Math.addExact(orderCount, 1);
        quantity = Math.addExact(quantity, order.quantity());
        revenue.merge(order.currency(), order.amountMinor(), Math::addExact);
        min.merge(order.currency(), order.amountMinor(), Math::min);
        max.merge(order.currency(), order.amountMinor(), Math::max);
        if (customers == null) {
            customers = new HllSketch(HLL_LG_K, TgtHllType.HLL_8);
        }
        customers.update(order.customerId());
        values.computeIfAbsent(order.currency(), currency -> new ValueDistribution()).add(order.amountMinor());
    }

    /**
     * Takes an order that counted back out of the exact figures; the caller rebuilds the rest. A currency whose sum
     * reaches zero stays (its total then shows zero rather than losing the currency).
     */
    void subtract(OrderContribution order) {
        orderCount = Math.subtractExact(orderCount, 1);
        quantity = Math.subtractExact(quantity, order.quantity());
        revenue.merge(order.currency(), Math.negateExact(order.amountMinor()), Math::addExact);
    }

    long orderCount() {
        return orderCount;
    }

    Map<String, Long> revenue() {
        return revenue;
    }

    /** The partials of several input partitions, as one. */
    static Partial combine(Collection<Partial> partials) {
        Partial total = new Partial();
        Union union = null;
        for (Partial partial : partials) {
            total.orderCount = Math.addExact(total.orderCount, partial.orderCount);
            total.quantity = Math.addExact(total.quantity, partial.quantity);
            partial.revenue.forEach((currency, amount) -> total.revenue.merge(currency, amount, Math::addExact));
            partial.min.forEach((currency, amount) -> total.min.merge(currency, amount, Math::min));
            partial.max.forEach((currency, amount) -> total.max.merge(currency, amount, Math::max));
            if (partial.customers != null) {
                union = union == null ? new Union(HLL_LG_K) : union;
                union.update(partial.customers);
            }
            partial.values.forEach((currency, distribution) ->
                    total.values.computeIfAbsent(currency, c -> new ValueDistribution()).addAll(distribution));
        }
        total.customers = union == null ? null : union.getResult(TgtHllType.HLL_8);
        return total;
    }

    WindowAggregate toAggregate(String dimension, String value, long windowStart, long windowEnd, boolean isFinal) {
        Map<String, ValueQuantiles> quantiles = new TreeMap<>();
        values.forEach((currency, distribution) -> {
            if (distribution.count() > 0) {
                quantiles.put(currency, new ValueQuantiles(distribution.quantile(0.50), distribution.quantile(0.95),
                        distribution.quantile(0.99), distribution.rankError(), distribution.count()));
            }
        });
        return WindowAggregate.newBuilder()
                .setDimension(dimension)
                .setDimensionValue(value)
                .setWindowStart(Instant.ofEpochMilli(windowStart))
                .setWindowEnd(Instant.ofEpochMilli(windowEnd))
                .setOrderCount(orderCount)
                .setRevenueMinor(new TreeMap<>(revenue))
                .setQuantity(quantity)
                .setMinOrderMinor(new TreeMap<>(min))
                .setMaxOrderMinor(new TreeMap<>(max))
                .setDistinctCustomers(customers == null || customers.isEmpty() ? null : new DistinctEstimate(
                        Math.round(customers.getEstimate()),
                        (long) Math.floor(customers.getLowerBound(HLL_BOUND_STDDEVS)),
                        (long) Math.ceil(customers.getUpperBound(HLL_BOUND_STDDEVS))))
                .setOrderValueQuantiles(quantiles)
                .setFinalResult(isFinal)
                .build();
    }

    void write(DataOutputStream out) throws IOException {
        out.writeByte(VERSION);
        out.writeLong(orderCount);
        out.writeLong(quantity);
        BinaryFormat.writeAmounts(out, revenue);
        BinaryFormat.writeAmounts(out, min);
        BinaryFormat.writeAmounts(out, max);
        BinaryFormat.writeBytes(out, customers == null ? new byte[0] : customers.toCompactByteArray());
        out.writeInt(values.size());
        for (Map.Entry<String, ValueDistribution> entry : values.entrySet()) {
            BinaryFormat.writeString(out, entry.getKey());
            entry.getValue().write(out);
        }
    }

    static Partial read(DataInputStream in, int maxLength) throws IOException {
        BinaryFormat.requireVersion(in, VERSION, "partial aggregate");
        Partial partial = new Partial();
        partial.orderCount = in.readLong();
        partial.quantity = in.readLong();
        partial.revenue.putAll(BinaryFormat.readAmounts(in, maxLength));
        partial.min.putAll(BinaryFormat.readAmounts(in, maxLength));
        partial.max.putAll(BinaryFormat.readAmounts(in, maxLength));
        byte[] hll = BinaryFormat.readBytes(in, maxLength);
        partial.customers = hll.length == 0 ? null : HllSketch.heapify(hll);
        int currencies = in.readInt();
        if (currencies < 0 || currencies > maxLength) {
            throw new SerializationException("Invalid currency count " + currencies);
        }
        for (int i = 0; i < currencies; i++) {
            partial.values.put(BinaryFormat.readString(in, maxLength), ValueDistribution.read(in, maxLength));
        }
        return partial;
    }
}
