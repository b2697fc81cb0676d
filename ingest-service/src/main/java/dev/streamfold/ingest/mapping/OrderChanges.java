package dev.streamfold.ingest.mapping;

import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.OrderOperation;
import dev.streamfold.schemas.OrderSource;
import java.time.Instant;
import java.util.List;

/**
 * Order rows as order change events. Operation, version and event id are read from the row itself, never from where
 * or how it was read (LSN, snapshot or streaming, slot): a re-snapshot, a new slot or an incremental snapshot of an
 * unchanged row yields the very event streaming published for it, so downstream deduplication sees one change.
 *
 * <p>That needs the shop schema's contract: {@code updated_at} moves forward on every UPDATE (its trigger does it), and
 * the table is {@code REPLICA IDENTITY FULL}, so that a DELETE carries the whole deleted row.
 */
final class OrderChanges {

    static final String REPLICA_IDENTITY_FIX = "ALTER TABLE orders REPLICA IDENTITY FULL";

    private static final String TABLE = "orders";
    /** Every column an order event needs besides the key; a key-only old row has none of them. */
    private static final List<String> NON_KEY_COLUMNS = List.of("customer_id", "product_id", "quantity", "amount",
            "currency", "status", "created_at", "updated_at");

    private OrderChanges() {
    }

    /**
     * The state of a row after an insert or update, or as a snapshot read it. INSERT while the row was never changed:
     * a snapshot read of an untouched row then says what the insert said, and one of a changed row what its last
     * update said.
     */
    static Order current(Row after) {
        long version = after.requiredMicros("updated_at");
        OrderOperation operation = version == after.requiredMicros("created_at") ? OrderOperation.INSERT : OrderOperation.UPDATE;
        return order(after, operation, version, after.requiredInstant("updated_at"));
    }

    /**
     * The state after an UPDATE. Where the old row came with it (REPLICA IDENTITY FULL), an update that did not move
     * {@code updated_at} forward is refused: it would repeat the previous state's version and event id, and every
     * consumer would drop it as already applied, silently. That happens when the table lacks the trigger of the shop
     * schema and the application does not set {@code updated_at} itself.
     */
    static Order updated(Row before, Row after) {
        Order order = current(after);
        if (before != null && isWholeRow(before) && before.requiredMicros("updated_at") >= order.getVersion()) {
            throw new UnmappableChangeException("the update of order " + order.getOrderId() + " did not move updated_at"
                    + " forward (still " + after.requiredInstant("updated_at") + "), so it would repeat version "
                    + order.getVersion() + " and be ignored downstream. Fix: move updated_at on every UPDATE (the"
                    + " trigger streamfold_orders_version in schemas' db/shop-schema.sql does it)");
        }
        return order;
    }

    /**
     * The last state of a deleted row. Its version is one microsecond after the row's last one: newer than every
     * event of the row, and read from the row like any other version. The row holds no time of the delete, so the
     * commit time is its change time.
     */
    static Order deleted(Row before, long commitTimeMs) {
        requireWholeRow(before);
        long version;
        try {
            version = Math.addExact(before.requiredMicros("updated_at"), 1);
        } catch (ArithmeticException e) {
            throw new UnmappableChangeException("orders.updated_at of deleted order " + before.requiredLong("id")
                    + " is out of range", e);
        }
        return order(before, OrderOperation.DELETE, version, Instant.ofEpochMilli(commitTimeMs));
    }

    static String eventId(long orderId, long version) {
        return "pg:" + TABLE + ":" + orderId + ":" + version;
    }

    private static Order order(Row row, OrderOperation operation, long version, Instant changedAt) {
        long orderId = row.requiredLong("id");
        return Order.newBuilder()
                .setEventId(eventId(orderId, version))
                .setOrderId(orderId)
                .setCustomerId(row.requiredLong("customer_id"))
                .setProductId(row.requiredLong("product_id"))
                .setQuantity(row.requiredInt("quantity"))
                .setAmountMinor(row.requiredLong("amount"))
                .setCurrency(row.requiredString("currency"))
                .setStatus(row.requiredString("status"))
                .setEventTime(row.requiredInstant("created_at"))
                .setSource(OrderSource.DATABASE)
                .setOperation(operation)
                .setVersion(version)
                .setChangedAt(changedAt)
                .build();
    }

    private static boolean isWholeRow(Row before) {
        return NON_KEY_COLUMNS.stream().allMatch(before::has)
                && before.requiredLong("customer_id") != 0 && before.requiredMicros("updated_at") != 0;
    }

    /**
     * Under PostgreSQL's default replica identity a DELETE carries only the primary key of the old row. Debezium then
     * leaves the other columns null, or fills NOT NULL ones with placeholders (0, '', the epoch for a timestamp); no
     * real order has customer 0 or was last changed at the epoch. Without the whole row the event could say neither
     * whose order it was (its key) nor when it was placed (its window) nor which version it ends.
     */
    private static void requireWholeRow(Row before) {
        if (!isWholeRow(before)) {
            throw new UnmappableChangeException("the delete of order " + before.requiredLong("id")
                    + " carries only the key of the old row, not the whole row: table orders is not REPLICA IDENTITY FULL."
                    + " Fix: " + REPLICA_IDENTITY_FIX + " (deletes captured before that stay unmappable)");
        }
    }
}
