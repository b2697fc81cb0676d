package dev.streamfold.ingest.mapping;

import dev.streamfold.common.order.InvalidOrderException;
import dev.streamfold.common.order.OrderRules;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.ingest.mapping.MappedChange.Publish;
import dev.streamfold.ingest.mapping.MappedChange.Skip;
import dev.streamfold.ingest.mapping.MappedChange.Unmappable;
import dev.streamfold.schemas.Customer;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.OrderSource;
import dev.streamfold.schemas.Product;
import java.time.InstantSource;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Turns one Debezium change event (a Connect {@link SourceRecord} with the {@code before/after/source/op} envelope)
 * into the clean record Streamfold publishes. Pure: no I/O, no Spring, every outcome is a value; the clock it is given
 * is read only to judge how far in the future an order's event time lies.
 *
 * <p>Orders pass the shared {@link OrderRules}, the rule a directly published order passes too: whichever way an order
 * enters the pipeline, the same values are rejected, with the same message.
 */
public final class ChangeEventMapper {

    static final String CUSTOMERS_TABLE = "customers";
    static final String PRODUCTS_TABLE = "products";
    static final String ORDERS_TABLE = "orders";

    private final Topics topics;
    private final OrderRules orderRules;
    private final InstantSource clock;

    public ChangeEventMapper(Topics topics, OrderRules orderRules, InstantSource clock) {
        this.topics = topics;
        this.orderRules = orderRules;
        this.clock = clock;
    }

    public MappedChange map(SourceRecord record) {
        if (!(record.value() instanceof Struct envelope) || envelope.schema().field("op") == null) {
            return new Skip("not a row change (Debezium tombstone or heartbeat)");
        }
        Struct source = envelope.getStruct("source");
        String table = source.getString("table");
        Topic<String, ?> target = switch (table) {
            case CUSTOMERS_TABLE -> topics.customers();
            case PRODUCTS_TABLE -> topics.products();
            case ORDERS_TABLE -> topics.orders();
            default -> null;
        };
        if (target == null) {
            return new Skip("table " + table + " is not captured");
        }
        Long lsn = source.getInt64("lsn");
        Operation operation = Operation.of(envelope.getString("op"));
        try {
            return switch (table) {
                case CUSTOMERS_TABLE -> customer(operation, envelope);
                case PRODUCTS_TABLE -> product(operation, envelope);
                default -> order(operation, envelope, lsn);
            };
        } catch (UnmappableChangeException | InvalidOrderException e) {
            return new Unmappable(target, lsn == null ? -1 : lsn, e);
        } catch (RuntimeException e) {
            return new Unmappable(target, lsn == null ? -1 : lsn,
                    new UnmappableChangeException("cannot map a change of " + table + ": " + e.getMessage(), e));
        }
    }

    private MappedChange customer(Operation operation, Struct envelope) {
        if (operation == Operation.DELETE) {
            return tombstone(topics.customers(), envelope, CUSTOMERS_TABLE);
        }
        if (operation == Operation.OTHER) {
            return new Skip("operation " + envelope.getString("op") + " on customers");
        }
        Row row = after(envelope, CUSTOMERS_TABLE);
        Customer customer = Customer.newBuilder()
                .setId(row.requiredLong("id"))
                .setName(row.requiredString("name"))
                .setEmail(row.requiredString("email"))
                .setCountry(row.requiredString("country"))
                .setTier(row.requiredString("tier"))
                .setUpdatedAt(row.requiredInstant("updated_at"))
                .build();
        return new Publish<>(topics.customers(), Long.toString(customer.getId()), customer);
    }

    private MappedChange product(Operation operation, Struct envelope) {
        if (operation == Operation.DELETE) {
            return tombstone(topics.products(), envelope, PRODUCTS_TABLE);
        }
        if (operation == Operation.OTHER) {
            return new Skip("operation " + envelope.getString("op") + " on products");
        }
        Row row = after(envelope, PRODUCTS_TABLE);
        Product product = Product.newBuilder()
                .setId(row.requiredLong("id"))
                .setName(row.requiredString("name"))
                .setCategory(row.requiredString("category"))
                .setPriceMinor(row.requiredLong("price"))
                .setUpdatedAt(row.requiredInstant("updated_at"))
                .build();
        return new Publish<>(topics.products(), Long.toString(product.getId()), product);
    }

    /**
     * Only a new row is a new order; an update or delete of an order row changes no order event already published.
     * The database's own constraints are not the rule: a column can be wider than the rule allows (a currency is any
     * three characters there), and constraints differ between databases and over time.
     */
    private MappedChange order(Operation operation, Struct envelope, Long lsn) {
        if (operation != Operation.CREATE && operation != Operation.READ) {
            return new Skip("operation " + envelope.getString("op") + " on orders is not a new order");
        }
        Row row = after(envelope, ORDERS_TABLE);
        long orderId = row.requiredLong("id");
        if (lsn == null) {
            throw new UnmappableChangeException("order " + orderId + " has no source LSN to derive its event id from");
        }
        Order order = Order.newBuilder()
                .setEventId("pg:" + lsn + ":" + orderId)
                .setOrderId(orderId)
                .setCustomerId(row.requiredLong("customer_id"))
                .setProductId(row.requiredLong("product_id"))
                .setQuantity(row.requiredInt("quantity"))
                .setAmountMinor(row.requiredLong("amount"))
                .setCurrency(row.requiredString("currency"))
                .setStatus(row.requiredString("status"))
                .setEventTime(row.requiredInstant("created_at"))
                .setSource(OrderSource.DATABASE)
                .build();
        orderRules.requireValid(order, clock.instant());
        return new Publish<>(topics.orders(), Long.toString(order.getCustomerId()), order);
    }

    private static <V> MappedChange tombstone(Topic<String, V> topic, Struct envelope, String table) {
        Row before = row(envelope, "before", table);
        return new Publish<>(topic, Long.toString(before.requiredLong("id")), null);
    }

    private static Row after(Struct envelope, String table) {
        return row(envelope, "after", table);
    }

    private static Row row(Struct envelope, String side, String table) {
        Struct values = envelope.getStruct(side);
        if (values == null) {
            throw new UnmappableChangeException("change of " + table + " has no '" + side + "' row");
        }
        return new Row(table, values);
    }

    /** Debezium's {@code op} codes. */
    private enum Operation {
        CREATE, READ, UPDATE, DELETE, OTHER;

        static Operation of(String code) {
            return switch (code == null ? "" : code) {
                case "c" -> CREATE;
                case "r" -> READ;
                case "u" -> UPDATE;
                case "d" -> DELETE;
                default -> OTHER;
            };
        }
    }
}
