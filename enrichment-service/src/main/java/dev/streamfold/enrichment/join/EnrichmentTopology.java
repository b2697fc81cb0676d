package dev.streamfold.enrichment.join;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.deadletter.DeadLetterPublisher;
import dev.streamfold.common.order.OrderRules;
import dev.streamfold.common.order.ValidateOrderRecords;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.common.tracing.RecordTracing;
import dev.streamfold.schemas.Customer;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.Product;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * {@code orders} ⋈ {@code customers} ⋈ {@code products} → {@code orders.enriched}.
 *
 * <p>Orders and customers are both keyed by customer id with equal partition counts, so {@code join-references}
 * reads the co-partitioned customer versions of its own task, with no repartition topic. Products are few and read as
 * a global store kept by {@link ProductCatalogue}, looked up by the order's product id. Both stores are versioned by
 * valid_from, and an order is joined with the versions valid at its event time. An order whose customer or
 * product is not there yet waits (see {@link ReferenceJoinProcessor}) and is dead-lettered only after
 * {@link ReferenceWait#maxWait()}; a punctuator cannot use the processing exception handler, so those dead letters go
 * through a sink of their own. Orders that break the shared rule, or that the join would mis-join (no value, not keyed
 * by customer id), are dead-lettered by {@code validate-order}; customer records without a key or under another
 * customer's key by {@code validate-customer}.
 *
 * <p>Every valid order leaves with the event-time progress of the {@code orders} partition it was read from
 * ({@code stamp-source-stream-time}), so that the detour of a re-routed or waiting order never makes it late
 * downstream.
 */
public final class EnrichmentTopology {

    public static final String ORDERS_SOURCE = "orders-source";
    public static final String CUSTOMERS_SOURCE = "customers-source";
    public static final String VALIDATE_CUSTOMER = "validate-customer";
    public static final String KEEP_CUSTOMER_VERSIONS = "keep-customer-versions";
    /**
     * Versions of every customer by valid_from. Named apart from the key-value store it replaced
     * ({@code customers-store}), whose local state and changelog a versioned store cannot read.
     */
    public static final String CUSTOMERS_STORE = "customer-versions";
    public static final String PRODUCTS_SOURCE = "products-source";
    /** Versions of every product by valid_from; named apart from the key-value store it replaced ({@code products-store}). */
    public static final String PRODUCTS_STORE = "product-versions";
    public static final String VALIDATE_ORDER = "validate-order";
    public static final String STAMP_SOURCE_STREAM_TIME = "stamp-source-stream-time";
    /** Per {@code orders} partition and publisher, its event-time stream time (see {@link StampSourceStreamTime}). */
    // Keyed "<partition>/<publisher>" (the store keyed by partition alone was "orders-source-stream-time").
    public static final String SOURCE_STREAM_TIME_STORE = "orders-stream-time-per-publisher";
    public static final String CHECK_OWNER_PARTITION = "check-owner-partition";
    public static final String ROUTE_BY_PARTITION = "route-by-partition-";
    public static final String OWNER_BRANCH = "on-owner";
    public static final String REROUTE_BRANCH = "rerouted";
    public static final String UNWRAP_ON_OWNER = "unwrap-order-on-owner";
    public static final String UNWRAP_REROUTED = "unwrap-rerouted-order";
    /** Orders a publisher put on a partition that does not own their customer, on their way to the one that does. */
    public static final String REROUTED_ORDERS = "rerouted-orders";
    public static final String MERGE_ROUTES = "merge-order-routes";
    public static final String JOIN_REFERENCES = "join-references";
    /** Orders waiting for their customer or product, by wait start and event id (see {@link AwaitingOrders}). */
    public static final String AWAITING_REFERENCES_STORE = "orders-awaiting-references";
    public static final String ROUTE_OUTCOME = "route-join-outcome-";
    public static final String ENRICHED_BRANCH = ROUTE_OUTCOME + "enriched";
    public static final String DEAD_LETTER_BRANCH = ROUTE_OUTCOME + "dead-letter";
    public static final String UNWRAP_ENRICHED = "unwrap-enriched-order";
    public static final String UNWRAP_DEAD_LETTER = "unwrap-dead-letter";
    public static final String ENRICHED_ORDERS_SINK = "to-enriched-orders";
    public static final String DEAD_LETTERS_SINK = "to-orders-dead-letters";

    private EnrichmentTopology() {
    }

    /** The event id of an order waiting in {@link #AWAITING_REFERENCES_STORE}, from its key (for queries and tests). */
    public static String awaitingEventId(Bytes key) {
        return AwaitingOrders.eventIdOf(key);
    }

    /**
     * @param topics        input and output topics with their serdes
     * @param referenceWait how long an order waits for a missing customer or product
     * @param history       how far back in event time superseded customer and product versions are kept
     * @param rules         the shared order rule
     * @param accounting    where each stage counts what became of its records (stages are named by input topic)
     * @param deadLetters   how the products catalogue, which runs outside any task, sends its dead letters
     */
    public static Topology build(Topics topics, ReferenceWait referenceWait, Duration history, OrderRules rules,
            RecordAccounting accounting, DeadLetterPublisher deadLetters) {
        return build(topics, referenceWait, history, rules, accounting, deadLetters, RecordTracing.off());
    }

    /** @param tracing continues each valid order's trace with an enrichment span (see {@link RecordTracing}) */
    public static Topology build(Topics topics, ReferenceWait referenceWait, Duration history, OrderRules rules,
            RecordAccounting accounting, DeadLetterPublisher deadLetters, RecordTracing tracing) {
        StreamsBuilder builder = new StreamsBuilder();
        addCustomerVersions(builder, topics, history, accounting);
        addProductsCatalogue(builder, topics, history, accounting, deadLetters);
        ParkedOrderSerde parkedOrders = new ParkedOrderSerde(topics.orders());
        // Raw bytes: AwaitingOrders orders keys by time and counts the bytes it keeps.
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(AWAITING_REFERENCES_STORE),
                Serdes.Bytes(), Serdes.ByteArray()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SOURCE_STREAM_TIME_STORE),
                Serdes.String(), Serdes.Long()).withCachingEnabled());

        String ordersStage = topics.orders().name();
        KStream<String, Order> validated = builder.stream(topics.orders().name(), topics.orders().consumedAs(ORDERS_SOURCE))
                .processValues(() -> new ValidateOrderRecords<Order>(rules::requireValidRecord, accounting, ordersStage),
                        Named.as(VALIDATE_ORDER))
                .processValues(() -> new StampSourceStreamTime(SOURCE_STREAM_TIME_STORE, tracing), Named.as(STAMP_SOURCE_STREAM_TIME),
                        SOURCE_STREAM_TIME_STORE);
        KStream<String, JoinOutcome> outcomes = onOwnerPartitions(validated, topics.orders())
                // The global products store needs no connecting; the customers store is this task's partition.
                .process(() -> new ReferenceJoinProcessor(referenceWait, parkedOrders, accounting, ordersStage),
                        Named.as(JOIN_REFERENCES), CUSTOMERS_STORE, AWAITING_REFERENCES_STORE);
        outcomes.split(Named.as(ROUTE_OUTCOME))
                .branch((customerId, outcome) -> outcome.isEnriched(), Branched.withConsumer(enriched -> enriched
                        .mapValues(JoinOutcome::enriched, Named.as(UNWRAP_ENRICHED))
                        .to(topics.ordersEnriched().name(), topics.ordersEnriched().producedAs(ENRICHED_ORDERS_SINK)),
                        "enriched"))
                .defaultBranch(Branched.withConsumer(rejected -> rejected
                        .mapValues(JoinOutcome::deadLetter, Named.as(UNWRAP_DEAD_LETTER))
                        .to(topics.orders().deadLetterTopicName(), Produced.with(topics.orders().keySerde(), Serdes.ByteArray())
                                .withName(DEAD_LETTERS_SINK)),
                        "dead-letter"));

        return builder.build();
    }

    /**
     * Orders as the join needs them: each on the partition that owns its customer. Those a publisher put elsewhere
     * (another partitioner) take one hop through {@code rerouted-orders}, partitioned like {@code customers}; the
     * others, nearly all, go straight on.
     */
    private static KStream<String, Order> onOwnerPartitions(KStream<String, Order> orders, Topic<String, Order> topic) {
        Map<String, KStream<String, RoutedOrder>> routes = orders
                .processValues(() -> new RouteToOwnPartition(topic.partitions()), Named.as(CHECK_OWNER_PARTITION))
                .split(Named.as(ROUTE_BY_PARTITION))
                .branch((customerId, routed) -> routed.onOwnerPartition(), Branched.as(OWNER_BRANCH))
                .defaultBranch(Branched.as(REROUTE_BRANCH));
        KStream<String, Order> rerouted = routes.get(ROUTE_BY_PARTITION + REROUTE_BRANCH)
                .mapValues(RoutedOrder::order, Named.as(UNWRAP_REROUTED))
                .repartition(Repartitioned.<String, Order>as(REROUTED_ORDERS)
                        .withKeySerde(topic.keySerde())
                        .withValueSerde(topic.valueSerde())
                        .withNumberOfPartitions(topic.partitions()));
        return routes.get(ROUTE_BY_PARTITION + OWNER_BRANCH)
                .mapValues(RoutedOrder::order, Named.as(UNWRAP_ON_OWNER))
                .merge(rerouted, Named.as(MERGE_ROUTES));
    }

    /**
     * A versioned store filled by a processor rather than a table read directly: a table source drops records without a
     * key silently, stores a customer under any key it came with, and versions by record time (here the write time).
     * {@code validate-customer} dead-letters the first two; {@code keep-customer-versions} versions by valid_from.
     */
    private static void addCustomerVersions(StreamsBuilder builder, Topics topics, Duration history, RecordAccounting accounting) {
        Topic<String, Customer> customers = topics.customers();
        builder.addStateStore(Stores.versionedKeyValueStoreBuilder(
                Stores.persistentVersionedKeyValueStore(CUSTOMERS_STORE, history), customers.keySerde(), customers.valueSerde()));
        String stage = customers.name();
        builder.stream(customers.name(), customers.consumedAs(CUSTOMERS_SOURCE))
                .processValues(() -> new ValidateCustomer(accounting, stage), Named.as(VALIDATE_CUSTOMER))
                .processValues(() -> new KeepCustomerVersions(CUSTOMERS_STORE, history), Named.as(KEEP_CUSTOMER_VERSIONS),
                        CUSTOMERS_STORE);
    }

    /** Raw bytes in, so that nothing can fail on the global thread before {@link ProductCatalogue} looks at it. */
    private static void addProductsCatalogue(StreamsBuilder builder, Topics topics, Duration history,
            RecordAccounting accounting, DeadLetterPublisher deadLetters) {
        Topic<String, Product> products = topics.products();
        builder.addGlobalStore(
                Stores.versionedKeyValueStoreBuilder(Stores.persistentVersionedKeyValueStore(PRODUCTS_STORE, history),
                        products.keySerde(), products.valueSerde()).withLoggingDisabled(),
                products.name(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(PRODUCTS_SOURCE),
                () -> new ProductCatalogue(products, PRODUCTS_STORE, history, deadLetters, accounting));
    }
}
