package dev.streamfold.aggregation.window;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.aggregate.Emission;
import dev.streamfold.common.aggregate.WindowKind;
import dev.streamfold.common.config.StreamfoldProperties;
import dev.streamfold.common.order.OrderRules;
import dev.streamfold.common.order.ValidateOrderRecords;
import dev.streamfold.common.serde.SerdeFactory;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.common.tracing.RecordTracing;
import dev.streamfold.schemas.CustomerLifetime;
import dev.streamfold.schemas.EnrichedOrder;
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.BranchedKStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * {@code orders.enriched} → validate → per input partition ({@link WindowOrders}): drop order changes not newer than
 * the order's version already applied, send changes of windows already closed at their source to {@code orders.late},
 * apply the rest to the partials of every configured dimension and window (retract the previous contribution, add the
 * new one; hopping windows that are runs of tumbling ones are combined from those after the repartition instead) and
 * to the customer's lifetime totals → send changed partials and the partition's progress → repartition (partials by
 * window, or by value where hopping windows are combined from panes; progress to every partition) → combine each
 * window's partials ({@link MergePartials}) →
 * {@code aggregates.<dimension>[.hopping]} on every change, {@code aggregates.<dimension>[.hopping].final} once per
 * window when every input partition has passed its end + grace.
 *
 * <p>Raw orders never cross a repartition: only partials (a handful per window and flush) and progress records do.
 * Event time is read from the payload; record timestamps are write times, so no record this topology writes ever
 * carries business time.
 */
public final class AggregationTopology {

    /**
     * Accounting stage of the final stage if no source topic is known; otherwise stages are named, like the
     * dead-letter handlers name them, after the topic read.
     */
    static final String MERGE_STAGE = "merge-partials";

    static final String ORDERS_SOURCE = "orders-enriched-source";
    static final String VALIDATE_ORDERS = "validate-orders";
    static final String WINDOW_ORDERS = "window-orders";
    static final String ROUTE = "route-windowing-output-";
    static final String UNWRAP_LATE_ORDER = "unwrap-late-order";
    static final String ORDERS_LATE_SINK = "orders-late-sink";
    static final String UNWRAP_LIFETIME = "unwrap-customer-lifetime";
    static final String LIFETIME_SINK = "aggregates-customer-lifetime-sink";
    static final String UNWRAP_MERGE_INPUT = "unwrap-partial-or-progress";
    /** Name of the repartition of partials and progress; the topic is {@link #partialsRepartitionTopic(String)}. */
    public static final String PARTIALS_REPARTITION = "window-partials";
    static final String MERGE_PARTIALS = "merge-partials";
    static final String ROUTE_EMITTED = "route-aggregates-";
    static final String ROUTE_EMITTED_ON_PARTITION = "route-aggregates-on-partition-";
    static final String KEY_BY_WINDOW = "key-by-window";

    static final String ORDER_CONTRIBUTIONS_STORE = "order-contributions";
    static final String STREAM_TIME_STORE = "partition-stream-time";
    static final String LIFETIME_STORE = "customer-lifetimes";
    static final String MERGED_WINDOWS_STORE = "merged-windows";
    /** Per input partition, the progress it last reported; and the watermark up to which windows were closed. */
    static final String PROGRESS_STORE = "input-partition-progress";

    private AggregationTopology() {
    }

    /** The repartition topic of partials; the partials the final stage fails on go to its {@code .dlq}. */
    public static String partialsRepartitionTopic(String applicationId) {
        return applicationId + "-" + PARTIALS_REPARTITION + "-repartition";
    }

    /** The live and final outputs a configuration publishes. */
    public static List<AggregateStream> outputs(StreamfoldProperties.Aggregates aggregates) {
        List<AggregateStream> streams = new ArrayList<>();
        for (Emission emission : Emission.values()) {
            aggregates.dimensions().forEach(d -> streams.add(new AggregateStream(d, WindowKind.TUMBLING, emission)));
            aggregates.hoppingDimensions().forEach(d -> streams.add(new AggregateStream(d, WindowKind.HOPPING, emission)));
        }
        return streams;
    }

    /** With partials sent every 100 ms of wall-clock time (the exactly-once commit interval) and no tracing. */
    public static Topology build(Topics topics, SerdeFactory internalSerdes, WindowSettings windows,
            StreamfoldProperties.Aggregates aggregates, OrderRules rules, RecordAccounting accounting) {
        return build(topics, internalSerdes, windows, aggregates, rules, accounting, WindowOrders.DEFAULT_FLUSH_INTERVAL,
                RecordTracing.off());
    }

    /**
     * @param topics         the input and output topics and their serdes
     * @param internalSerdes registry serdes that read the lifetime store of an earlier version (registry-framed Avro);
     *                       it is written in a compact binary layout now
     * @param windows        window sizes, grace and retention
     * @param aggregates     the dimensions, which of them also in hopping windows, and whether lifetime totals are kept
     * @param rules          the order rule every input record must pass
     * @param accounting     where every record read ends up, by the topic it was read from
     * @param flushInterval  how often (wall clock) changed partials are sent; about the commit interval
     * @param tracing        continues each applied order's trace with an aggregation span (see {@link RecordTracing})
     */
    public static Topology build(Topics topics, SerdeFactory internalSerdes, WindowSettings windows,
            StreamfoldProperties.Aggregates aggregates, OrderRules rules, RecordAccounting accounting, Duration flushInterval,
            RecordTracing tracing) {
        return build(topics, internalSerdes, windows, aggregates, rules, accounting, FlushSettings.every(flushInterval),
                tracing);
    }

    /** @param flushing when partials and progress are sent, also while catching up, and when a partition is idle */
    public static Topology build(Topics topics, SerdeFactory internalSerdes, WindowSettings windows,
            StreamfoldProperties.Aggregates aggregates, OrderRules rules, RecordAccounting accounting, FlushSettings flushing,
            RecordTracing tracing) {
        Topic<String, EnrichedOrder> input = topics.ordersEnriched();
        Topic<String, EnrichedOrder> late = topics.ordersLate();
        StreamsBuilder builder = new StreamsBuilder();
        addStores(builder, internalSerdes, aggregates);

        List<String> windowingStores = new ArrayList<>(List.of(ORDER_CONTRIBUTIONS_STORE, STREAM_TIME_STORE));
        if (aggregates.customerLifetime()) {
            windowingStores.add(LIFETIME_STORE);
        }
        KStream<String, WindowingOutput> windowed = builder.stream(input.name(), input.consumedAs(ORDERS_SOURCE))
                // processValues: the key is untouched, so the DSL knows no repartition is implied.
                .processValues(() -> new ValidateOrderRecords<EnrichedOrder>(rules::requireValidRecord, accounting, input.name()),
                        Named.as(VALIDATE_ORDERS))
                .process(() -> new WindowOrders(windows, WindowOrders.slots(aggregates.dimensions(),
                                hoppingOnPartitions(windows, aggregates)), aggregates.customerLifetime(), accounting, tracing,
                                input.name(), flushing, ORDER_CONTRIBUTIONS_STORE, STREAM_TIME_STORE, LIFETIME_STORE),
                        Named.as(WINDOW_ORDERS), windowingStores.toArray(String[]::new));

        BranchedKStream<String, WindowingOutput> routes = windowed.split(Named.as(ROUTE))
                .branch((key, value) -> value instanceof LateOrder, Branched.withConsumer(lateOrders -> lateOrders
                        .mapValues(value -> ((LateOrder) value).order(), Named.as(UNWRAP_LATE_ORDER))
                        .to(late.name(), late.producedAs(ORDERS_LATE_SINK)), "late-order"));
        if (aggregates.customerLifetime()) {
            Topic<String, CustomerLifetime> lifetimes = topics.customerLifetimes();
            routes.branch((key, value) -> value instanceof LifetimeUpdate, Branched.withConsumer(updates -> updates
                    .mapValues(value -> ((LifetimeUpdate) value).lifetime(), Named.as(UNWRAP_LIFETIME))
                    .to(lifetimes.name(), lifetimes.producedAs(LIFETIME_SINK)), "customer-lifetime"));
        }
        routes.branch((key, value) -> value instanceof Emitted, Branched.withConsumer(figures -> publish(figures
                .map((key, value) -> KeyValue.pair(((Emitted) value).windowKey(), (Emitted) value), Named.as(KEY_BY_WINDOW)),
                topics, outputs(aggregates, true), ROUTE_EMITTED_ON_PARTITION), "complete-on-partition"));
        routes.defaultBranch(Branched.withConsumer(partials -> publish(partials
                .mapValues(value -> (MergeInput) value, Named.as(UNWRAP_MERGE_INPUT))
                .repartition(Repartitioned.<String, MergeInput>as(PARTIALS_REPARTITION)
                        .withKeySerde(Serdes.String())
                        .withValueSerde(new MergeInputSerde())
                        .withStreamPartitioner(new MergeInputPartitioner(hoppingFromPanes(windows, aggregates))))
                .process(() -> new MergePartials(windows, accounting, MERGE_STAGE, MERGED_WINDOWS_STORE, PROGRESS_STORE,
                                input.partitions(), hoppingFromPanes(windows, aggregates), flushing.interval()),
                        Named.as(MERGE_PARTIALS), MERGED_WINDOWS_STORE, PROGRESS_STORE), topics, outputs(aggregates, false),
                ROUTE_EMITTED), "partial"));
        return builder.build();
    }

    /**
     * The hopping dimensions whose windows the final stage combines from tumbling panes: all but the customer (complete
     * on its partition) when hopping windows are runs of whole tumbling ones.
     */
    static List<Dimension> hoppingFromPanes(WindowSettings windows, StreamfoldProperties.Aggregates aggregates) {
        if (!windows.hoppingFromPanes()) {
            return List.of();
        }
        return aggregates.hoppingDimensions().stream().filter(d -> !AggregateKey.completeOnOnePartition(d)).toList();
    }

    /** The hopping dimensions whose partials the input partitions keep and send. */
    private static List<Dimension> hoppingOnPartitions(WindowSettings windows, StreamfoldProperties.Aggregates aggregates) {
        List<Dimension> fromPanes = hoppingFromPanes(windows, aggregates);
        return aggregates.hoppingDimensions().stream().filter(d -> !fromPanes.contains(d)).toList();
    }

    private static void addStores(StreamsBuilder builder, SerdeFactory internalSerdes,
            StreamfoldProperties.Aggregates aggregates) {
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ORDER_CONTRIBUTIONS_STORE),
                new ContributionKey.KeySerde(), new OrderContributionSerde()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STREAM_TIME_STORE),
                Serdes.Integer(), Serdes.Long()).withCachingEnabled());
        if (aggregates.customerLifetime()) {
            builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(LIFETIME_STORE),
                    Serdes.String(), new CustomerLifetimeSerde(internalSerdes.value(LIFETIME_STORE, CustomerLifetime.class)
                            .deserializer())).withCachingEnabled());
        }
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(MERGED_WINDOWS_STORE),
                new AggregateKeySerde(), new MergedWindow.WindowSerde()).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PROGRESS_STORE),
                Serdes.Integer(), Serdes.Long()).withCachingEnabled());
    }

    /** The outputs of windows complete on one input partition, or of those the final stage combines. */
    private static List<AggregateStream> outputs(StreamfoldProperties.Aggregates aggregates, boolean completeOnOnePartition) {
        return outputs(aggregates).stream()
                .filter(stream -> AggregateKey.completeOnOnePartition(stream.dimension()) == completeOnOnePartition)
                .toList();
    }

    /** One branch per output topic, named after it. */
    private static void publish(KStream<WindowKey, Emitted> emitted, Topics topics, List<AggregateStream> streams,
            String routeName) {
        BranchedKStream<WindowKey, Emitted> byOutput = emitted.split(Named.as(routeName));
        for (AggregateStream stream : streams) {
            Topic<WindowKey, WindowAggregate> output = topics.aggregates(stream);
            String name = stream.topicName().replace('.', '-');
            byOutput.branch((key, value) -> value.stream().equals(stream), Branched.withConsumer(records -> records
                    .mapValues(Emitted::aggregate, Named.as("unwrap-" + name))
                    .to(output.name(), output.producedAs(name + "-sink")), name));
        }
        byOutput.noDefaultBranch();
    }
}
