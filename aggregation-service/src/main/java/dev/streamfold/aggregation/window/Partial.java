package dev.streamfold.aggregation.window;

import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.schemas.DistinctEstimate;
import dev.streamfold.schemas.ValueQuantiles;
import dev.streamfold.schemas.WindowAggregate;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
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
    /**
     * Revenue, smallest and largest order and order values per currency: a few slots searched in turn (an order's
     * window holds one currency, or a handful), not a TreeMap of boxed longs per figure, which was most of the cost
     * of applying an order to a window (JFR, {@code PipelineBenchmark}). Sorted by currency only when written.
     */
    private CurrencyFigures[] currencies = new CurrencyFigures[0];
    private HllSketch customers;
    /**
     * A customer's own window: its distinct customers are one, exactly, with no sketch to keep. Nearly every order
     * opens a customer window of its own, and a sketch's update and bounds for it were a cost per order (JFR).
     */
    private final boolean oneCustomer;

    Partial() {
        this(false);
    }

    private Partial(boolean oneCustomer) {
        this.oneCustomer = oneCustomer;
    }

    /** An empty partial for the window of a key. */
    static Partial of(AggregateKey key) {
        return new Partial(key.dimension() == Dimension.CUSTOMER);
    }

    /** One currency's figures; {@code min} and {@code max} hold only once an order of the currency was added. */
    private static final class CurrencyFigures {
        final String currency;
        long revenue;
        boolean hasExtremes;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        ValueDistribution values;

        CurrencyFigures(String currency) {
            this.currency = currency;
        }

        void extremes(long low, long high) {
            min = Math.min(min, low);
            max = Math.max(max, high);
            hasExtremes = true;
        }

        ValueDistribution values() {
            if (values == null) {
                values = new ValueDistribution();
            }
            return values;
        }
    }

    private CurrencyFigures figures(String currency) {
        for (CurrencyFigures figures : currencies) {
            if (figures.currency.equals(currency)) {
                return figures;
            }
        }
        CurrencyFigures added = new CurrencyFigures(currency);
        currencies = Arrays.copyOf(currencies, currencies.length + 1);
        currencies[currencies.length - 1] = added;
        return added;
    }

    /** Adds an order that counts. @throws ArithmeticException if a sum overflows a long */
    void add(OrderContribution order) {
        orderCount = Math.addExact(orderCount, 1);
        quantity = Math.addExact(quantity, order.quantity());
        CurrencyFigures figures = figures(order.currency());
        figures.revenue = Math.addExact(figures.revenue, order.amountMinor());
        figures.extremes(order.amountMinor(), order.amountMinor());
        if (!oneCustomer) {
            if (customers == null) {
                customers = new HllSketch(HLL_LG_K, TgtHllType.HLL_8);
            }
            customers.update(order.customerId());
        }
        figures.values().add(order.amountMinor());
    }

    /**
     * Takes an order that counted back out of the exact figures; the caller rebuilds the rest. A currency whose sum
     * reaches zero stays (its total then shows zero rather than losing the currency).
     */
    void subtract(OrderContribution order) {
        orderCount = Math.subtractExact(orderCount, 1);
        quantity = Math.subtractExact(quantity, order.quantity());
        CurrencyFigures figures = figures(order.currency());
        figures.revenue = Math.subtractExact(figures.revenue, order.amountMinor());
    }

    long orderCount() {
        return orderCount;
    }

    /** Whether the sums of {@code n} partials, each with sums as large as this one's, would all fit a long. */
    boolean fitsSumOf(int n) {
        long bound = Long.MAX_VALUE / n;
        if (!within(orderCount, bound) || !within(quantity, bound)) {
            return false;
        }
        for (CurrencyFigures figures : currencies) {
            if (!within(figures.revenue, bound)) {
                return false;
            }
        }
        return true;
    }

    private static boolean within(long sum, long bound) {
        return sum <= bound && sum >= -bound;
    }

    Map<String, Long> revenue() {
        Map<String, Long> revenue = new TreeMap<>();
        for (CurrencyFigures figures : currencies) {
            revenue.put(figures.currency, figures.revenue);
        }
        return revenue;
    }

    /** The partials of several input partitions, as one. */
    static Partial combine(Collection<Partial> partials) {
        Partial total = new Partial();
        Union union = null;
        for (Partial partial : partials) {
            total.orderCount = Math.addExact(total.orderCount, partial.orderCount);
            total.quantity = Math.addExact(total.quantity, partial.quantity);
            for (CurrencyFigures figures : partial.currencies) {
                CurrencyFigures into = total.figures(figures.currency);
                into.revenue = Math.addExact(into.revenue, figures.revenue);
                if (figures.hasExtremes) {
                    into.extremes(figures.min, figures.max);
                }
                if (figures.values != null) {
                    into.values().addAll(figures.values);
                }
            }
            if (partial.customers != null) {
                union = union == null ? new Union(HLL_LG_K) : union;
                union.update(partial.customers);
            }
        }
        total.customers = union == null ? null : union.getResult(TgtHllType.HLL_8);
        return total;
    }

    WindowAggregate toAggregate(String dimension, String value, long windowStart, long windowEnd, boolean isFinal) {
        Map<String, ValueQuantiles> quantiles = new TreeMap<>();
        Map<String, Long> revenue = new TreeMap<>();
        Map<String, Long> min = new TreeMap<>();
        Map<String, Long> max = new TreeMap<>();
        for (CurrencyFigures figures : currencies) {
            revenue.put(figures.currency, figures.revenue);
            if (figures.hasExtremes) {
                min.put(figures.currency, figures.min);
                max.put(figures.currency, figures.max);
            }
            ValueDistribution distribution = figures.values;
            if (distribution != null && distribution.count() > 0) {
                quantiles.put(figures.currency, new ValueQuantiles(distribution.quantile(0.50), distribution.quantile(0.95),
                        distribution.quantile(0.99), distribution.rankError(), distribution.count()));
            }
        }
        return WindowAggregate.newBuilder()
                .setDimension(dimension)
                .setDimensionValue(value)
                .setWindowStart(Instant.ofEpochMilli(windowStart))
                .setWindowEnd(Instant.ofEpochMilli(windowEnd))
                .setOrderCount(orderCount)
                .setRevenueMinor(revenue)
                .setQuantity(quantity)
                .setMinOrderMinor(min)
                .setMaxOrderMinor(max)
                .setDistinctCustomers(distinctCustomers())
                .setOrderValueQuantiles(quantiles)
                .setFinalResult(isFinal)
                .build();
    }

    private DistinctEstimate distinctCustomers() {
        if (oneCustomer) {
            return orderCount > 0 ? new DistinctEstimate(1L, 1L, 1L) : null;
        }
        return customers == null || customers.isEmpty() ? null : new DistinctEstimate(Math.round(customers.getEstimate()),
                (long) Math.floor(customers.getLowerBound(HLL_BOUND_STDDEVS)),
                (long) Math.ceil(customers.getUpperBound(HLL_BOUND_STDDEVS)));
    }

    void write(DataOutputStream out) throws IOException {
        out.writeByte(VERSION);
        out.writeLong(orderCount);
        out.writeLong(quantity);
        // Sorted by currency, as the maps were written before: equal partials give equal bytes.
        CurrencyFigures[] sorted = currencies.clone();
        Arrays.sort(sorted, Comparator.comparing(figures -> figures.currency));
        writeFigures(out, sorted, figures -> true, figures -> figures.revenue);
        writeFigures(out, sorted, figures -> figures.hasExtremes, figures -> figures.min);
        writeFigures(out, sorted, figures -> figures.hasExtremes, figures -> figures.max);
        BinaryFormat.writeBytes(out, customers == null ? new byte[0] : customers.toCompactByteArray());
        int distributions = 0;
        for (CurrencyFigures figures : sorted) {
            distributions += figures.values == null ? 0 : 1;
        }
        out.writeInt(distributions);
        for (CurrencyFigures figures : sorted) {
            if (figures.values != null) {
                BinaryFormat.writeString(out, figures.currency);
                figures.values.write(out);
            }
        }
    }

    /** The layout of {@link BinaryFormat#writeAmounts}: a count, then currency and amount of each. */
    private static void writeFigures(DataOutputStream out, CurrencyFigures[] sorted, Predicate<CurrencyFigures> present,
            ToLongFunction<CurrencyFigures> amount) throws IOException {
        int count = 0;
        for (CurrencyFigures figures : sorted) {
            count += present.test(figures) ? 1 : 0;
        }
        out.writeInt(count);
        for (CurrencyFigures figures : sorted) {
            if (present.test(figures)) {
                BinaryFormat.writeString(out, figures.currency);
                out.writeLong(amount.applyAsLong(figures));
            }
        }
    }

    static Partial read(DataInputStream in, int maxLength) throws IOException {
        BinaryFormat.requireVersion(in, VERSION, "partial aggregate");
        Partial partial = new Partial();
        partial.orderCount = in.readLong();
        partial.quantity = in.readLong();
        BinaryFormat.readAmounts(in, maxLength).forEach((currency, amount) -> partial.figures(currency).revenue = amount);
        Map<String, Long> min = BinaryFormat.readAmounts(in, maxLength);
        Map<String, Long> max = BinaryFormat.readAmounts(in, maxLength);
        min.forEach((currency, low) -> partial.figures(currency).extremes(low, max.getOrDefault(currency, low)));
        byte[] hll = BinaryFormat.readBytes(in, maxLength);
        partial.customers = hll.length == 0 ? null : HllSketch.heapify(hll);
        int currencies = in.readInt();
        if (currencies < 0 || currencies > maxLength) {
            throw new SerializationException("Invalid currency count " + currencies);
        }
        for (int i = 0; i < currencies; i++) {
            partial.figures(BinaryFormat.readString(in, maxLength)).values = ValueDistribution.read(in, maxLength);
        }
        return partial;
    }
}
