package dev.streamfold.enrichment.join;

import dev.streamfold.common.topic.Topics;
import dev.streamfold.schemas.Customer;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.Product;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * {@code orders} ⋈ {@code customers} ⋈ {@code products} → {@code orders.enriched}.
 *
 * <p>Orders and customers are both keyed by customer id with equal partition counts, so the customer join reads
 * the co-partitioned table directly, with no repartition topic. Products are few and read as a global table,
 * joined by the order's product id. Both joins are left joins: an order whose customer or product is unknown
 * reaches {@code require-references}, which throws, and the processing exception handler dead-letters it. Orders
 * the joins would drop or mis-join (no value, not keyed by customer id) are dead-lettered by {@code validate-order}.
 */
public final class EnrichmentTopology {

    public static final String ORDERS_SOURCE = "orders-source";
    /** The table's processor; Kafka Streams names its source node {@code customers-table-source}. */
    public static final String CUSTOMERS_TABLE = "customers-table";
    public static final String CUSTOMERS_STORE = "customers-store";
    public static final String PRODUCTS_TABLE = "products-global-table";
    public static final String PRODUCTS_STORE = "products-store";
    public static final String VALIDATE_ORDER = "validate-order";
    public static final String JOIN_CUSTOMER = "join-customer";
    public static final String JOIN_PRODUCT = "join-product";
    public static final String REQUIRE_REFERENCES = "require-references";
    public static final String ENRICHED_ORDERS_SINK = "to-enriched-orders";

    private EnrichmentTopology() {
    }

    public static Topology build(Topics topics) {
        StreamsBuilder builder = new StreamsBuilder();

        KTable<String, Customer> customers = builder.table(topics.customers().name(),
                topics.customers().consumedAs(CUSTOMERS_TABLE),
                Materialized.<String, Customer, KeyValueStore<Bytes, byte[]>>as(CUSTOMERS_STORE)
                        .withKeySerde(topics.customers().keySerde())
                        .withValueSerde(topics.customers().valueSerde()));
        GlobalKTable<String, Product> products = builder.globalTable(topics.products().name(),
                topics.products().consumedAs(PRODUCTS_TABLE),
                Materialized.<String, Product, KeyValueStore<Bytes, byte[]>>as(PRODUCTS_STORE)
                        .withKeySerde(topics.products().keySerde())
                        .withValueSerde(topics.products().valueSerde()));

        builder.stream(topics.orders().name(), topics.orders().consumedAs(ORDERS_SOURCE))
                .mapValues(OrderValidation::requireKeyedByCustomer, Named.as(VALIDATE_ORDER))
                .leftJoin(customers, OrderReferences::withCustomer,
                        Joined.<String, Order, Customer>as(JOIN_CUSTOMER)
                                .withKeySerde(topics.orders().keySerde())
                                .withValueSerde(topics.orders().valueSerde()))
                .leftJoin(products, (customerId, references) -> references.productKey(),
                        OrderReferences::withProduct, Named.as(JOIN_PRODUCT))
                .mapValues(OrderReferences::toEnrichedOrder, Named.as(REQUIRE_REFERENCES))
                .to(topics.ordersEnriched().name(), topics.ordersEnriched().producedAs(ENRICHED_ORDERS_SINK));

        return builder.build();
    }
}
