package dev.streamfold.common.topic;

import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.aggregate.Emission;
import dev.streamfold.common.aggregate.WindowKind;
import dev.streamfold.common.serde.SerdeFactory;
import dev.streamfold.schemas.CustomerLifetime;
import dev.streamfold.schemas.Customer;
import dev.streamfold.schemas.EnrichedOrder;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.Product;
import dev.streamfold.schemas.ReconciliationReport;
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The one place where Streamfold's topics are declared. Keys are strings (decimal ids) so that any producer,
 * in any language, can publish co-partitioned records with the default partitioner.
 *
 * <p>{@code orders} and {@code customers} are both keyed by customer id and have the same partition count, so
 * enrichment joins them without a repartition topic. Anyone publishing orders directly must key them by customer id.
 */
public final class Topics {

    /** Shared by every topic keyed by customer id; changing it for one and not the others breaks the join. */
    public static final int CUSTOMER_KEYED_PARTITIONS = 4;

    private final Topic<String, Customer> customers;
    private final Topic<String, Product> products;
    private final Topic<String, Order> orders;
    private final Topic<String, EnrichedOrder> ordersEnriched;
    private final Topic<String, EnrichedOrder> ordersLate;
    private final Map<AggregateStream, Topic<WindowKey, WindowAggregate>> aggregates;
    private final Topic<String, CustomerLifetime> customerLifetimes;
    private final Topic<WindowKey, ReconciliationReport> reconciliationReports;

    public Topics(SerdeFactory serdes) {
        this(serdes, "");
    }

    /**
     * @param prefix put before every topic name, so that several environments (or tests) can share one cluster
     */
    public Topics(SerdeFactory serdes, String prefix) {
        customers = new Topic<>(prefix + "customers", CUSTOMER_KEYED_PARTITIONS, CleanupPolicy.COMPACT,
                Serdes.String(), serdes.value(prefix + "customers", Customer.class));
        products = new Topic<>(prefix + "products", 1, CleanupPolicy.COMPACT,
                Serdes.String(), serdes.value(prefix + "products", Product.class));
        orders = new Topic<>(prefix + "orders", CUSTOMER_KEYED_PARTITIONS, CleanupPolicy.DELETE,
                Serdes.String(), serdes.value(prefix + "orders", Order.class));
        ordersEnriched = new Topic<>(prefix + "orders.enriched", CUSTOMER_KEYED_PARTITIONS, CleanupPolicy.DELETE,
                Serdes.String(), serdes.value(prefix + "orders.enriched", EnrichedOrder.class));
        ordersLate = new Topic<>(prefix + "orders.late", 1, CleanupPolicy.DELETE,
                Serdes.String(), serdes.value(prefix + "orders.late", EnrichedOrder.class));
        aggregates = new LinkedHashMap<>();
        for (Dimension dimension : Dimension.values()) {
            for (WindowKind kind : WindowKind.values()) {
                for (Emission emission : Emission.values()) {
                    AggregateStream stream = new AggregateStream(dimension, kind, emission);
                    String name = prefix + stream.topicName();
                    aggregates.put(stream, new Topic<>(name, CUSTOMER_KEYED_PARTITIONS, CleanupPolicy.COMPACT,
                            serdes.key(name, WindowKey.class), serdes.value(name, WindowAggregate.class)));
                }
            }
        }
        customerLifetimes = new Topic<>(prefix + "aggregates.customer.lifetime", CUSTOMER_KEYED_PARTITIONS,
                CleanupPolicy.COMPACT, Serdes.String(), serdes.value(prefix + "aggregates.customer.lifetime", CustomerLifetime.class));
        reconciliationReports = new Topic<>(prefix + "reconciliation.reports", 1, CleanupPolicy.COMPACT,
                serdes.key(prefix + "reconciliation.reports", WindowKey.class),
                serdes.value(prefix + "reconciliation.reports", ReconciliationReport.class));
    }

    /** Customer rows by customer id; a deleted customer is a tombstone. */
    public Topic<String, Customer> customers() {
        return customers;
    }

    /** Product rows by product id; small, read as a global table. */
    public Topic<String, Product> products() {
        return products;
    }

    /** Order events by customer id, from CDC and from applications. */
    public Topic<String, Order> orders() {
        return orders;
    }

    /** Orders joined with customer and product, by customer id. */
    public Topic<String, EnrichedOrder> ordersEnriched() {
        return ordersEnriched;
    }

    /**
     * Enriched orders that arrived after their window had closed (end + grace, in the stream time of their input
     * partition), byte for byte as read, with headers saying which window and why; reconciliation corrects from them.
     */
    public Topic<String, EnrichedOrder> ordersLate() {
        return ordersLate;
    }

    /**
     * One of aggregation's outputs ({@code aggregates.<dimension>[.hopping][.final]}), keyed by (dimension value, window
     * start), compacted: the latest record of a key is the window's current figures (live) or its final result.
     */
    public Topic<WindowKey, WindowAggregate> aggregates(AggregateStream stream) {
        return aggregates.get(stream);
    }

    /** Lifetime totals per customer, by customer id, compacted. */
    public Topic<String, CustomerLifetime> customerLifetimes() {
        return customerLifetimes;
    }

    /** Latest reconciliation verdict per category window. */
    public Topic<WindowKey, ReconciliationReport> reconciliationReports() {
        return reconciliationReports;
    }

    public List<Topic<?, ?>> all() {
        List<Topic<?, ?>> all = new ArrayList<>(List.of(customers, products, orders, ordersEnriched, ordersLate));
        all.addAll(aggregates.values());
        all.add(customerLifetimes);
        all.add(reconciliationReports);
        return List.copyOf(all);
    }
}
