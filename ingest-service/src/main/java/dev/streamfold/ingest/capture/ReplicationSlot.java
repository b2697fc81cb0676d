package dev.streamfold.ingest.capture;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;

/**
 * The capture's logical replication slot as PostgreSQL sees it, read over a plain connection of its own (not the
 * replication connection), and the heartbeat table the capture writes to.
 */
final class ReplicationSlot {

    private final String jdbcUrl;
    private final Properties credentials = new Properties();
    private final String name;

    ReplicationSlot(IngestProperties ingest) {
        IngestProperties.Database database = ingest.database();
        this.jdbcUrl = "jdbc:postgresql://" + database.host() + ":" + database.port() + "/" + database.name();
        credentials.setProperty("user", database.user());
        credentials.setProperty("password", database.password());
        credentials.setProperty("ApplicationName", "streamfold-ingest-slot-check");
        credentials.setProperty("connectTimeout", "10");
        this.name = ingest.slotName();
    }

    String name() {
        return name;
    }

    /**
     * The slot's state, or empty if there is none. {@code retainedBytes} is the WAL between the server's current
     * position and what the capture confirmed: what PostgreSQL keeps on disk for us.
     */
    Optional<Status> status() throws SQLException {
        try (Connection connection = connect();
             PreparedStatement query = connection.prepareStatement("""
                     SELECT active, wal_status,
                            pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint AS retained,
                            confirmed_flush_lsn::text AS confirmed
                     FROM pg_replication_slots WHERE slot_name = ?""")) {
            query.setString(1, name);
            try (ResultSet row = query.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Status(row.getBoolean("active"), row.getString("wal_status"), row.getLong("retained"),
                        row.getString("confirmed")));
            }
        }
    }

    /** Created before the capture starts: Debezium's heartbeat query writes to it, and the publication includes it. */
    void ensureHeartbeatTable() throws SQLException {
        try (Connection connection = connect(); Statement ddl = connection.createStatement()) {
            ddl.execute("CREATE TABLE IF NOT EXISTS " + DebeziumSettings.HEARTBEAT_TABLE
                    + " (id integer PRIMARY KEY, beat_at timestamptz NOT NULL)");
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, credentials);
    }

    /**
     * @param walStatus PostgreSQL's {@code wal_status}: {@code reserved}, {@code extended}, {@code unreserved}, or
     *                  {@code lost} once the WAL the slot needs was removed ({@code max_slot_wal_keep_size})
     */
    record Status(boolean active, String walStatus, long retainedBytes, String confirmedLsn) {

        boolean lost() {
            return "lost".equals(walStatus);
        }
    }
}
