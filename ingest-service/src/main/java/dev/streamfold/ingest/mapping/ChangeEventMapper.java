package dev.streamfold.ingest.mapping;

import dev.streamfold.common.order.InvalidOrderException;
import dev.streamfold.common.order.OrderRules;
import dev.streamfold.common.reference.ValidFrom;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.ingest.mapping.ChangeEnvelope.Op;
import dev.streamfold.ingest.mapping.MappedChange.Publish;
import dev.streamfold.ingest.mapping.MappedChange.Skip;
import dev.streamfold.ingest.mapping.MappedChange.Unmappable;
import dev.streamfold.schemas.Customer;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.Product;
import java.time.Instant;
import java.time.InstantSource;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Turns one Debezium change event (a Connect {@link SourceRecord} with the {@code before/after/source/op} envelope)
 * into the clean record Streamfold publishes. Pure: no I/O, no Spring, every outcome is a value; the clock it is given
 * is read only to judge how far in the future an order's event time lies.
 *
 * <p>Every insert, update and delete of an order row is an order change event ({@link OrderChanges}). Orders pass the
 * shared {@link OrderRules}, the rule a directly published order passes too: whichever way an order enters the
 * pipeline, the same values are rejected, with the same message.
 *
 * <p>Customers and products are versions of reference data, each valid from a point in event time ({@code valid_from}).
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
        ChangeEnvelope change = ChangeEnvelope.of(record.value());
        if (change == null) {
            return new Skip("not a row change (Debezium tombstone or heartbeat)");
        }
        String table = change.table();
        Topic<String, ?> target = switch (table) {
            case CUSTOMERS_TABLE -> topics.customers();
            case PRODUCTS_TABLE -> topics.products();
            case ORDERS_TABLE -> topics.orders();
            default -> null;
        };
        if (target == null) {
            return new Skip("table " + table + " is not captured");
        }
        Long lsn = change.lsn();
        try {
            return switch (table) {
                case CUSTOMERS_TABLE -> customer(change);
                case PRODUCTS_TABLE -> product(change);
                default -> order(change);
            };
        } catch (UnmappableChangeException | InvalidOrderException e) {
            return new Unmappable(target, lsn == null ? -1 : lsn, e);
        } catch (RuntimeException e) {
            return new Unmappable(target, lsn == null ? -1 : lsn,
                    new UnmappableChangeException("cannot map a change of " + table + ": " + e.getMessage(), e));
        }
    }

    private MappedChange customer(ChangeEnvelope change) {
        return switch (change.op()) {
            case DELETE -> tombstone(topics.customers(), change);
            case CREATE, READ, UPDATE -> {
                Row row = change.after();
                Customer customer = Customer.newBuilder()
                        .setId(row.requiredLong("id"))
                        .setName(row.requiredString("name"))
                        .setEmail(row.requiredString("email"))
                        .setCountry(row.requiredString("country"))
                        .setTier(row.requiredString("tier"))
                        .setUpdatedAt(row.requiredInstant("updated_at"))
                        .setValidFrom(validFrom(change))
                        .build();
                yield new Publish<>(topics.customers(), Long.toString(customer.getId()), customer);
            }
            case TRUNCATE, OTHER -> skip(change);
        };
    }

    private MappedChange product(ChangeEnvelope change) {
        return switch (change.op()) {
            case DELETE -> tombstone(topics.products(), change);
            case CREATE, READ, UPDATE -> {
                Row row = change.after();
                Product product = Product.newBuilder()
                        .setId(row.requiredLong("id"))
                        .setName(row.requiredString("name"))
                        .setCategory(row.requiredString("category"))
                        .setPriceMinor(row.requiredLong("price"))
                        .setUpdatedAt(row.requiredInstant("updated_at"))
                        .setValidFrom(validFrom(change))
                        .build();
                yield new Publish<>(topics.products(), Long.toString(product.getId()), product);
            }
            case TRUNCATE, OTHER -> skip(change);
        };
    }

    /**
     * Keyed by customer, whatever the operation: every change of an order lands on its customer's partition, in
     * order. The database's own constraints are not the rule: a column can be wider than the rule allows (a currency
     * is any three characters there), and constraints differ between databases and over time.
     */
    private MappedChange order(ChangeEnvelope change) {
        Order order = switch (change.op()) {
            case CREATE, READ -> OrderChanges.current(change.after());
            case UPDATE -> OrderChanges.updated(change.beforeIfAny(), change.after());
            case DELETE -> OrderChanges.deleted(change.before(), change.commitTimeMs());
            case TRUNCATE, OTHER -> null;
        };
        if (order == null) {
            return skip(change);
        }
        orderRules.requireValid(order, clock.instant());
        return new Publish<>(topics.orders(), Long.toString(order.getCustomerId()), order);
    }

    /**
     * A row inserted, or read by a snapshot, is valid from the start of time: no order can refer to a row before it
     * existed, and an order placed before the snapshot must find it. An update is valid from its commit: orders placed
     * before it keep the version they were placed under.
     */
    private static Instant validFrom(ChangeEnvelope change) {
        return Instant.ofEpochMilli(change.op() == Op.UPDATE ? change.commitTimeMs() : ValidFrom.START_OF_TIME);
    }

    /** A tombstone has no value to carry valid_from: the time the key stops being valid travels in a header. */
    private static <V> MappedChange tombstone(Topic<String, V> topic, ChangeEnvelope change) {
        long id = change.before().requiredLong("id");
        RecordHeaders headers = new RecordHeaders();
        ValidFrom.stamp(headers, change.commitTimeMs());
        return new Publish<>(topic, Long.toString(id), null, headers);
    }

    /**
     * A truncate names no row (Debezium skips truncates unless configured otherwise); other codes are no row changes
     * of ours. Neither can become a record keyed by a row.
     */
    private static Skip skip(ChangeEnvelope change) {
        String what = change.op() == Op.TRUNCATE ? "truncate" : "operation '" + change.opCode() + "'";
        return new Skip(what + " of " + change.table() + " is not published: it changes no single row");
    }
}
