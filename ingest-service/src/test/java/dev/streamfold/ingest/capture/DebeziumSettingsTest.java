package dev.streamfold.ingest.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class DebeziumSettingsTest {

    private final IngestProperties ingest = new IngestProperties(
            new IngestProperties.Database("127.0.0.1", 15432, "shop", "postgres", ""), "slot_a", "pub_a", null,
            Duration.ofSeconds(10), Duration.ofSeconds(15));

    @Test
    void shouldKeepOffsetsInAKafkaTopicNamedAfterTheTopicPrefix() {
        // When the engine settings are derived for prefix "dev."
        Properties settings = DebeziumSettings.of(ingest, "127.0.0.1:9092", ingest.offsetsTopic("dev."), (short) 3);

        // Then offsets go to Kafka, not to a local file
        assertThat(settings)
                .containsEntry("offset.storage", "org.apache.kafka.connect.storage.KafkaOffsetBackingStore")
                .containsEntry("offset.storage.topic", "dev.streamfold.ingest.offsets")
                .containsEntry("offset.storage.partitions", "1")
                .containsEntry("offset.storage.replication.factor", "3")
                .containsEntry("bootstrap.servers", "127.0.0.1:9092");
    }

    @Test
    void shouldCaptureTheShopTablesOverPgoutputFromAnInitialSnapshot() {
        // When the engine settings are derived
        Properties settings = DebeziumSettings.of(ingest, "127.0.0.1:9092", "offsets", (short) 1);

        // Then they name our slot, publication and tables
        assertThat(settings)
                .containsEntry("plugin.name", "pgoutput")
                .containsEntry("slot.name", "slot_a")
                .containsEntry("publication.name", "pub_a")
                .containsEntry("publication.autocreate.mode", "filtered")
                .containsEntry("table.include.list", "public.customers,public.products,public.orders,public.streamfold_heartbeat")
                .containsEntry("snapshot.mode", "initial")
                .containsEntry("database.dbname", "shop");
    }

    @Test
    void shouldWriteAHeartbeatRowInThePublicationSoThatTheSlotMovesWhileTheShopIsQuiet() {
        // When the engine settings are derived
        Properties settings = DebeziumSettings.of(ingest, "127.0.0.1:9092", "offsets", (short) 1);

        // Then a heartbeat every interval writes the heartbeat table, which the capture reads like the shop's tables
        assertThat(settings.getProperty("heartbeat.interval.ms")).isEqualTo("10000");
        assertThat(settings.getProperty("heartbeat.action.query")).startsWith("INSERT INTO public.streamfold_heartbeat ");
        assertThat(settings.getProperty("table.include.list").split(",")).contains("public.streamfold_heartbeat");
    }

    @Test
    void shouldGiveTheOffsetsClientsTheClustersTlsAndSaslSettingsOnly() {
        // Given the client settings of a secured cluster, and a producer-only setting
        Properties settings = DebeziumSettings.of(ingest, "kafka:9093", "offsets", (short) 3);
        // When the cluster's security is added
        DebeziumSettings.withKafkaSecurity(settings, Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN",
                "ssl.truststore.location", "/etc/kafka/truststore.p12", "linger.ms", 5));
        // Then Kafka Connect hands them to the offsets topic's clients; nothing else leaks into the engine
        assertThat(settings).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("ssl.truststore.location", "/etc/kafka/truststore.p12").doesNotContainKey("linger.ms");
    }

    @Test
    void shouldUseAnExplicitOffsetsTopicAsIs() {
        IngestProperties explicit = new IngestProperties(ingest.database(), "slot_a", "pub_a", "my.offsets",
                ingest.heartbeatInterval(), ingest.slotCheckInterval());
        assertThat(explicit.offsetsTopic("dev.")).isEqualTo("my.offsets");
    }
}
