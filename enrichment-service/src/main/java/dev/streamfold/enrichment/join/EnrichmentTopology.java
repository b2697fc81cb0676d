package dev.streamfold.enrichment.join;

import dev.streamfold.common.topic.Topics;
import dev.streamfold.schemas.Customer;
import dev.streamfold.schemas.Product;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * {@code orders} ⋈ {@code customers} ⋈ {@code products} → {@code orders.enriched}.
 *
 * <p>Orders and customers are both keyed by customer id with equal partition counts, so {@code join-references}
 * reads the co-partitioned customers table of its own task, with no repartition topic. Products are few and read as
 * a global table, looked up by the order's product id. An order whose customer or product is not there yet waits
 * (see {@link ReferenceJoinProcessor}) and is dead-lettered only after {@link ReferenceWait#maxWait()}; a punctuator
 * cannot use the processing exception handler, so those dead letters go through a sink of their own. Orders the join
 * would mis-join (no value, not keyed by customer id) are dead-lettered by {@code validate-order}.
 */
public final class EnrichmentTopology {

    public static final String ORDERS_SOURCE = "orders-source";
    /** The table's processor; Kafka Streams names its source node {@code customers-table-source}. */
    public static final String CUSTOMERS_TABLE = "customers-table";
    public static final String CUSTOMERS_STORE = "customers-store";
    public static final String PRODUCTS_TABLE = "products-global-table";
    public static final String PRODUCTS_STORE = "products-store";
    public static final String VALIDATE_ORDER = "validate-order";
    public static final String JOIN_REFERENCES = "join-references";
    /** Orders waiting for their customer or product, by event id. */
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

    public static Topology build(Topics topics, ReferenceWait referenceWait) {
        StreamsBuilder builder = new StreamsBuilder();

        builder.table(topics.customers().name(), topics.customers().consumedAs(CUSTOMERS_TABLE),
                Materialized.<String, Customer, KeyValueStore<Bytes, byte[]>>as(CUSTOMERS_STORE)
                        .withKeySerde(topics.customers().keySerde())
                        .withValueSerde(topics.customers().valueSerde()));
        builder.globalTable(topics.products().name(), topics.products().consumedAs(PRODUCTS_TABLE),
                Materialized.<String, Product, KeyValueStore<Bytes, byte[]>>as(PRODUCTS_STORE)
                        .withKeySerde(topics.products().keySerde())
                        .withValueSerde(topics.products().valueSerde()));
        ParkedOrderSerde parkedOrders = new ParkedOrderSerde(topics.orders());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(AWAITING_REFERENCES_STORE),
                Serdes.String(), parkedOrders));

        KStream<String, JoinOutcome> outcomes = builder.stream(topics.orders().name(), topics.orders().consumedAs(ORDERS_SOURCE))
                .mapValues(OrderValidation::requireKeyedByCustomer, Named.as(VALIDATE_ORDER))
                // The global products store needs no connecting; the customers store is this task's partition.
                .process(() -> new ReferenceJoinProcessor(referenceWait, parkedOrders), Named.as(JOIN_REFERENCES),
                        CUSTOMERS_STORE, AWAITING_REFERENCES_STORE);
        outcomes.split(Named.as(ROUTE_OUTCOME))
                .branch((customerId, outcome) -> outcome.isEnriched(), Branched.withConsumer(enriched -> enriched
                        .mapValues(JoinOutcome::enriched, Named.as(UNWRAP_ENRICHED))
                        .to(topics.ordersEnriched().name(), topics.ordersEnriched().producedAs(ENRICHED_ORDERS_SINK)),
                        "enriched"))
                .defaultBranch(Branched.withConsumer(deadLetters -> deadLetters
                        .mapValues(JoinOutcome::deadLetter, Named.as(UNWRAP_DEAD_LETTER))
                        .to(topics.orders().deadLetterTopicName(), Produced.with(topics.orders().keySerde(), Serdes.ByteArray())
                                .withName(DEAD_LETTERS_SINK)),
                        "dead-letter"));

        return builder.build();
    }
}
