package dev.streamfold.aggregation.category;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.order.OrderRules;
import dev.streamfold.common.order.ValidateOrderRecords;
import dev.streamfold.common.serde.SerdeFactory;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.common.tracing.RecordTracing;
import dev.streamfold.schemas.EnrichedOrder;
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * {@code orders.enriched} → validate → per input partition: drop order changes not newer than the order's version
 * already applied, send changes of windows already closed at their source to {@code orders.late}, apply the rest to a
 * pending delta per (category, window) by taking the order's previous contribution back and adding its new one
 * → flush deltas (wall clock) → repartition by category → sum deltas into window totals → {@code aggregates.category},
 * keyed by (category, window start).
 *
 * <p>Event time is read from the payload ({@code event_time}); record timestamps are write times (the default
 * timestamp extractor), so no record this topology writes ever carries business time. Lateness is judged on the input
 * partition, before the repartition, against that partition's own event-time stream time.
 *
 * <p>Every update of a window is published (no suppression), so the query side is live; the output topic is
 * compacted, so a reader that wants one value per window keeps the latest per key.
 */
public final class CategoryAggregationTopology {

    /**
     * Accounting stage of the deltas if no source topic is known; otherwise stages are named, like the dead-letter
     * handlers name them, after the topic read: {@code orders.enriched} (received = forwarded + dead-lettered + late +
     * duplicate) and the deltas' repartition topic (received = forwarded + dead-lettered).
     */
    static final String DELTAS_STAGE = "sum-category-windows";

    static final String ORDERS_SOURCE = "orders-enriched-source";
    static final String VALIDATE_ORDERS = "validate-orders";
    static final String WINDOW_ORDERS = "window-orders";
    static final String ROUTE = "route-windowing-output-";
    static final String LATE_BRANCH = "late-order";
    static final String DELTA_BRANCH = "delta";
    static final String UNWRAP_LATE_ORDER = "unwrap-late-order";
    static final String UNWRAP_WINDOW_DELTA = "unwrap-window-delta";
    static final String ORDERS_LATE_SINK = "orders-late-sink";
    /** Name of the repartition of deltas by category; the topic is {@link #deltasRepartitionTopic(String)}. */
    public static final String DELTAS_REPARTITION = "category-window-deltas";
    static final String SUM_CATEGORY_WINDOWS = "sum-category-windows";
    static final String AGGREGATES_SINK = "aggregates-category-sink";

    /** Per order ("&lt;source&gt;:&lt;order id&gt;", at its event time): what its latest applied version contributes. */
    static final String ORDER_CONTRIBUTIONS_STORE = "order-contributions";
    static final String STREAM_TIME_STORE = "partition-stream-time";
    static final String PENDING_DELTAS_STORE = "pending-window-deltas";
    static final String WINDOW_TOTALS_STORE = "category-window-totals";
    /** Per input partition, the stream time it last reported with a delta: the final stage's watermark. */
    static final String SOURCE_STREAM_TIMES_STORE = "input-partition-stream-times";

    /** An order's contribution is kept at an instant (its event time), not a span: the smallest window the store allows. */
    private static final Duration AT_INSTANT = Duration.ofMillis(1);

    private CategoryAggregationTopology() {
    }

    /**
     * The full name of the repartition topic that carries deltas by category; the processing exception handler sends
     * the deltas the final stage fails on to its {@code .dlq}, which must therefore exist.
     */
    public static String deltasRepartitionTopic(String applicationId) {
        return applicationId + "-" + DELTAS_REPARTITION + "-repartition";
    }

    /** With pending deltas flushed every 100 ms of wall-clock time (the exactly-once commit interval). */
    public static Topology build(Topics topics, SerdeFactory internalSerdes, WindowSettings windows, OrderRules rules,
            RecordAccounting accounting) {
        return build(topics, internalSerdes, windows, rules, accounting, WindowOrders.DEFAULT_FLUSH_INTERVAL);
    }

    /**
     * @param topics         the input and output topics and their serdes
     * @param internalSerdes serde of the window totals store's changelog; registry serdes in production so that the
     *                       writer's schema id travels with every record and an evolved schema can still read it
     * @param windows        window size, grace and retention of the totals
     * @param rules          the order rule every input record must pass; its clock-skew bound also sizes the stores
     *                       whose clock a future event time may push ahead
     * @param accounting     where every record read ends up, by the topic it was read from
     * @param flushInterval  how often (wall clock) pending deltas are forwarded; about the commit interval
     */
    public static Topology build(Topics topics, SerdeFactory internalSerdes, WindowSettings windows, OrderRules rules,
            RecordAccounting accounting, Duration flushInterval) {
        return build(topics, internalSerdes, windows, rules, accounting, flushInterval, RecordTracing.off());
    }

    /** With the default flush interval; {@code tracing} continues each applied order's trace (see {@link RecordTracing}). */
    public static Topology build(Topics topics, SerdeFactory internalSerdes, WindowSettings windows, OrderRules rules,
            RecordAccounting accounting, RecordTracing tracing) {
        return build(topics, internalSerdes, windows, rules, accounting, WindowOrders.DEFAULT_FLUSH_INTERVAL, tracing);
    }

    /** @param tracing continues each applied order's trace with an aggregation span (see {@link RecordTracing}) */
    public static Topology build(Topics topics, SerdeFactory internalSerdes, WindowSettings windows, OrderRules rules,
            RecordAccounting accounting, Duration flushInterval, RecordTracing tracing) {
        Topic<String, EnrichedOrder> input = topics.ordersEnriched();
        Topic<String, EnrichedOrder> late = topics.ordersLate();
        Topic<WindowKey, WindowAggregate> output = topics.categoryAggregates();
        StreamsBuilder builder = new StreamsBuilder();

        builder.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(ORDER_CONTRIBUTIONS_STORE, windows.contributionRetention(rules.maxEventTimeAhead()),
                        AT_INSTANT, false),
                Serdes.String(), new OrderContributionSerde()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STREAM_TIME_STORE),
                Serdes.Integer(), Serdes.Long()).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PENDING_DELTAS_STORE),
                new CategoryWindowSerde(), new WindowDeltaSerde()).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WINDOW_TOTALS_STORE),
                new CategoryWindowSerde(), internalSerdes.value(WINDOW_TOTALS_STORE, WindowAggregate.class)).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SOURCE_STREAM_TIMES_STORE),
                Serdes.Integer(), Serdes.Long()).withCachingEnabled());

        KStream<String, WindowingOutput> windowed = builder.stream(input.name(), input.consumedAs(ORDERS_SOURCE))
                // processValues: the key is untouched, so the DSL knows no repartition is implied.
                .processValues(() -> new ValidateOrderRecords<EnrichedOrder>(rules::requireValidRecord, accounting, input.name()),
                        Named.as(VALIDATE_ORDERS))
                .process(() -> new WindowOrders(windows, accounting, tracing, input.name(), flushInterval,
                                ORDER_CONTRIBUTIONS_STORE, STREAM_TIME_STORE, PENDING_DELTAS_STORE),
                        Named.as(WINDOW_ORDERS), ORDER_CONTRIBUTIONS_STORE, STREAM_TIME_STORE, PENDING_DELTAS_STORE);

        windowed.split(Named.as(ROUTE))
                .branch((key, value) -> value instanceof LateOrder, Branched.withConsumer(lateOrders -> lateOrders
                        .mapValues(value -> ((LateOrder) value).order(), Named.as(UNWRAP_LATE_ORDER))
                        .to(late.name(), late.producedAs(ORDERS_LATE_SINK)), LATE_BRANCH))
                .defaultBranch(Branched.withConsumer(deltas -> deltas
                        .mapValues(value -> (WindowDelta) value, Named.as(UNWRAP_WINDOW_DELTA))
                        // Keyed by category: every delta of a category window meets the others in one task.
                        .repartition(Repartitioned.<String, WindowDelta>as(DELTAS_REPARTITION)
                                .withKeySerde(Serdes.String())
                                .withValueSerde(new WindowDeltaSerde()))
                        .process(() -> new SumCategoryWindows(windows, accounting, DELTAS_STAGE, WINDOW_TOTALS_STORE,
                                        SOURCE_STREAM_TIMES_STORE, input.partitions()),
                                Named.as(SUM_CATEGORY_WINDOWS), WINDOW_TOTALS_STORE, SOURCE_STREAM_TIMES_STORE)
                        .to(output.name(), output.producedAs(AGGREGATES_SINK)), DELTA_BRANCH));

        return builder.build();
    }
}
