package dev.streamfold.ingest.mapping;

import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Hand-built Debezium PostgreSQL change events, shaped like the connector's: a key struct with the primary key, and
 * an envelope with {@code before}, {@code after}, {@code source} and {@code op}. Row columns are optional here so
 * that tests can send what a misbehaving source might.
 */
public final class DebeziumChanges {

    public static final long COMMIT_TS_MS = 1_714_560_000_000L;

    private static final Schema ZONED_TIMESTAMP = SchemaBuilder.string().optional().name("io.debezium.time.ZonedTimestamp").build();

    public static final Schema CUSTOMER_ROW = SchemaBuilder.struct().name("streamfold.public.customers.Value").optional()
            .field("id", Schema.INT64_SCHEMA)
            .field("name", Schema.OPTIONAL_STRING_SCHEMA)
            .field("email", Schema.OPTIONAL_STRING_SCHEMA)
            .field("country", Schema.OPTIONAL_STRING_SCHEMA)
            .field("tier", Schema.OPTIONAL_STRING_SCHEMA)
            .field("updated_at", ZONED_TIMESTAMP)
            .build();

    public static final Schema PRODUCT_ROW = SchemaBuilder.struct().name("streamfold.public.products.Value").optional()
            .field("id", Schema.INT64_SCHEMA)
            .field("name", Schema.OPTIONAL_STRING_SCHEMA)
            .field("category", Schema.OPTIONAL_STRING_SCHEMA)
            .field("price", Schema.OPTIONAL_INT64_SCHEMA)
            .field("updated_at", ZONED_TIMESTAMP)
            .build();

    public static final Schema ORDER_ROW = SchemaBuilder.struct().name("streamfold.public.orders.Value").optional()
            .field("id", Schema.INT64_SCHEMA)
            .field("customer_id", Schema.OPTIONAL_INT64_SCHEMA)
            .field("product_id", Schema.OPTIONAL_INT64_SCHEMA)
            .field("quantity", Schema.OPTIONAL_INT32_SCHEMA)
            .field("amount", Schema.OPTIONAL_INT64_SCHEMA)
            .field("currency", Schema.OPTIONAL_STRING_SCHEMA)
            .field("status", Schema.OPTIONAL_STRING_SCHEMA)
            .field("created_at", ZONED_TIMESTAMP)
            .field("updated_at", ZONED_TIMESTAMP)
            .build();

    private static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.postgresql.Source")
            .field("version", Schema.STRING_SCHEMA)
            .field("connector", Schema.STRING_SCHEMA)
            .field("name", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA)
            .field("snapshot", Schema.OPTIONAL_STRING_SCHEMA)
            .field("db", Schema.STRING_SCHEMA)
            .field("schema", Schema.STRING_SCHEMA)
            .field("table", Schema.STRING_SCHEMA)
            .field("txId", Schema.OPTIONAL_INT64_SCHEMA)
            .field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
            .build();

    private static final Schema KEY = SchemaBuilder.struct().name("streamfold.public.Key").field("id", Schema.INT64_SCHEMA).build();

    private DebeziumChanges() {
    }

    public static Struct customer(long id, String name, String email, String country, String tier, String updatedAt) {
        return new Struct(CUSTOMER_ROW).put("id", id).put("name", name).put("email", email).put("country", country)
                .put("tier", tier).put("updated_at", updatedAt);
    }

    public static Struct product(long id, String name, String category, Long price, String updatedAt) {
        return new Struct(PRODUCT_ROW).put("id", id).put("name", name).put("category", category).put("price", price)
                .put("updated_at", updatedAt);
    }

    /** An order row never changed since it was placed: {@code updated_at} equals {@code created_at}. */
    public static Struct order(long id, long customerId, long productId, int quantity, long amount, String currency,
            String status, String createdAt) {
        return order(id, customerId, productId, quantity, amount, currency, status, createdAt, createdAt);
    }

    public static Struct order(long id, long customerId, long productId, int quantity, long amount, String currency,
            String status, String createdAt, String updatedAt) {
        return new Struct(ORDER_ROW).put("id", id).put("customer_id", customerId).put("product_id", productId)
                .put("quantity", quantity).put("amount", amount).put("currency", currency).put("status", status)
                .put("created_at", createdAt).put("updated_at", updatedAt);
    }

    /** Only the primary key, as pgoutput sends the old row of a delete under the default replica identity. */
    public static Struct keyOnly(Schema rowSchema, long id) {
        return new Struct(rowSchema).put("id", id);
    }

    /** A change event of {@code table}; {@code op} is Debezium's code: c(reate), u(pdate), d(elete), r(ead in a snapshot). */
    public static SourceRecord change(String table, String op, Struct before, Struct after, Long lsn) {
        return change(table, op, before, after, lsn, COMMIT_TS_MS);
    }

    /** The same, committed at {@code commitTsMs} ({@code source.ts_ms}; for a snapshot read, when the snapshot read it). */
    public static SourceRecord change(String table, String op, Struct before, Struct after, Long lsn, long commitTsMs) {
        Schema rowSchema = (after != null ? after : before).schema();
        long id = (after != null ? after : before).getInt64("id");
        return envelope(table, op, rowSchema, before, after, lsn, commitTsMs, new Struct(KEY).put("id", id));
    }

    /** What Debezium emits for a TRUNCATE when truncates are not skipped: no rows, no key. */
    public static SourceRecord truncate(String table, Schema rowSchema, Long lsn) {
        return envelope(table, "t", rowSchema, null, null, lsn, COMMIT_TS_MS, null);
    }

    private static SourceRecord envelope(String table, String op, Schema rowSchema, Struct before, Struct after, Long lsn,
            long commitTsMs, Struct key) {
        Schema envelopeSchema = SchemaBuilder.struct().name("streamfold.public." + table + ".Envelope")
                .field("before", rowSchema)
                .field("after", rowSchema)
                .field("source", SOURCE)
                .field("op", Schema.STRING_SCHEMA)
                .field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA)
                .build();
        Struct source = new Struct(SOURCE).put("version", "3.6.1.Final").put("connector", "postgresql").put("name", "streamfold")
                .put("ts_ms", commitTsMs).put("snapshot", "r".equals(op) ? "true" : "false").put("db", "streamfold")
                .put("schema", "public").put("table", table).put("lsn", lsn);
        Struct envelope = new Struct(envelopeSchema).put("before", before).put("after", after).put("source", source)
                .put("op", op).put("ts_ms", commitTsMs + 5);
        return new SourceRecord(Map.of("server", "streamfold"), Map.of("lsn", lsn == null ? 0L : lsn),
                "streamfold.public." + table, null, key == null ? null : KEY, key, envelopeSchema, envelope);
    }

    /** What Debezium emits after a delete when tombstones are on. */
    public static SourceRecord debeziumTombstone(String table, long id) {
        return new SourceRecord(Map.of("server", "streamfold"), Map.of("lsn", 1L), "streamfold.public." + table, null,
                KEY, new Struct(KEY).put("id", id), null, null);
    }
}
