package dev.streamfold.ingest.capture;

import java.util.Map;
import java.util.Properties;

/** The embedded engine's configuration: the PostgreSQL connector over pgoutput, offsets kept in Kafka. */
final class DebeziumSettings {

    /** Names the engine's offsets in the offsets topic: changing it makes a restarted engine snapshot again. */
    static final String ENGINE_NAME = "streamfold-ingest";
    /** Debezium's logical server name (its internal topic naming); we route on the source table, not on it. */
    static final String LOGICAL_SERVER_NAME = "streamfold";
    static final String CAPTURED_TABLES = "public.customers,public.products,public.orders";
    /**
     * One row, rewritten at every heartbeat. It is in the publication, so the heartbeat is a change the capture reads
     * and acknowledges: the slot's confirmed position moves on although the shop's tables are quiet. Its changes are
     * skipped, not published.
     */
    static final String HEARTBEAT_TABLE = "public.streamfold_heartbeat";
    static final String HEARTBEAT_QUERY = "INSERT INTO " + HEARTBEAT_TABLE + " (id, beat_at) VALUES (1, now())"
            + " ON CONFLICT (id) DO UPDATE SET beat_at = EXCLUDED.beat_at";

    private DebeziumSettings() {
    }

    /**
     * Adds the TLS and SASL settings of the Kafka cluster the offsets live in: Kafka Connect hands its top-level
     * client settings to the clients of its offsets topic.
     */
    static Properties withKafkaSecurity(Properties settings, Map<String, ?> clientProperties) {
        clientProperties.forEach((key, value) -> {
            if (value != null && (key.startsWith("security.") || key.startsWith("ssl.") || key.startsWith("sasl."))) {
                settings.setProperty(key, String.valueOf(value));
            }
        });
        return settings;
    }

    static Properties of(IngestProperties ingest, String bootstrapServers, String offsetsTopic, short replicationFactor) {
        Properties settings = new Properties();
        settings.setProperty("name", ENGINE_NAME);
        settings.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        settings.setProperty("topic.prefix", LOGICAL_SERVER_NAME);

        settings.setProperty("offset.storage", "org.apache.kafka.connect.storage.KafkaOffsetBackingStore");
        settings.setProperty("offset.storage.topic", offsetsTopic);
        settings.setProperty("offset.storage.partitions", "1");
        settings.setProperty("offset.storage.replication.factor", Short.toString(replicationFactor));
        settings.setProperty("bootstrap.servers", bootstrapServers);
        // Positions are committed only after Kafka acknowledged the batch; committing often keeps re-delivery after a crash small.
        settings.setProperty("offset.flush.interval.ms", "1000");

        settings.setProperty("database.hostname", ingest.database().host());
        settings.setProperty("database.port", Integer.toString(ingest.database().port()));
        settings.setProperty("database.dbname", ingest.database().name());
        settings.setProperty("database.user", ingest.database().user());
        settings.setProperty("database.password", ingest.database().password());

        settings.setProperty("plugin.name", "pgoutput");
        settings.setProperty("slot.name", ingest.slotName());
        settings.setProperty("publication.name", ingest.publicationName());
        settings.setProperty("publication.autocreate.mode", "filtered");
        settings.setProperty("table.include.list", CAPTURED_TABLES + "," + HEARTBEAT_TABLE);
        settings.setProperty("heartbeat.interval.ms", Long.toString(ingest.heartbeatInterval().toMillis()));
        settings.setProperty("heartbeat.action.query", HEARTBEAT_QUERY);
        settings.setProperty("snapshot.mode", "initial");
        // We write our own tombstones to our own topics; Debezium's would only be skipped.
        settings.setProperty("tombstones.on.delete", "false");
        return settings;
    }
}
