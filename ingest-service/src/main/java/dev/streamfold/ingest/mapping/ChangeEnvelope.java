package dev.streamfold.ingest.mapping;

import org.apache.kafka.connect.data.Struct;

/** One Debezium row change: the {@code before}/{@code after} rows, the {@code source} block and the {@code op} code. */
final class ChangeEnvelope {

    private final Struct envelope;
    private final Struct source;

    private ChangeEnvelope(Struct envelope) {
        this.envelope = envelope;
        this.source = envelope.getStruct("source");
    }

    /** {@code null} for what is no row change: Debezium's own tombstones, heartbeats, schema changes. */
    static ChangeEnvelope of(Object value) {
        if (!(value instanceof Struct envelope) || envelope.schema().field("op") == null
                || envelope.schema().field("source") == null || envelope.getStruct("source") == null) {
            return null;
        }
        return new ChangeEnvelope(envelope);
    }

    String table() {
        return source.getString("table");
    }

    /** The WAL position: only to find the change again (dead letters), never part of an id. */
    Long lsn() {
        return source.schema().field("lsn") == null ? null : source.getInt64("lsn");
    }

    String opCode() {
        return envelope.getString("op");
    }

    Op op() {
        return Op.of(opCode());
    }

    Row before() {
        return row("before");
    }

    Row after() {
        return row("after");
    }

    /** The old row of an update, if the table sends one (REPLICA IDENTITY FULL); null otherwise. */
    Row beforeIfAny() {
        Struct values = envelope.getStruct("before");
        return values == null ? null : new Row(table(), values);
    }

    /**
     * When the change was committed in the database (epoch ms, {@code source.ts_ms}). For a snapshot read it is only
     * when the snapshot read the row, so it is used for changes that streaming delivers (updates, deletes).
     */
    long commitTimeMs() {
        Long commitTime = source.schema().field("ts_ms") == null ? null : source.getInt64("ts_ms");
        if (commitTime == null) {
            throw new UnmappableChangeException("change of " + table() + " has no commit time (source.ts_ms)");
        }
        return commitTime;
    }

    private Row row(String side) {
        Struct values = envelope.getStruct(side);
        if (values == null) {
            throw new UnmappableChangeException("change of " + table() + " has no '" + side + "' row");
        }
        return new Row(table(), values);
    }

    /** Debezium's {@code op} codes. */
    enum Op {
        CREATE, READ, UPDATE, DELETE, TRUNCATE, OTHER;

        static Op of(String code) {
            return switch (code == null ? "" : code) {
                case "c" -> CREATE;
                case "r" -> READ;
                case "u" -> UPDATE;
                case "d" -> DELETE;
                case "t" -> TRUNCATE;
                default -> OTHER;
            };
        }
    }
}
