package dev.streamfold.common.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamfold.common.topic.TopicSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class StreamsDefaultsTest {

    @Test
    void shouldGiveInternalTopicsTheSharedReplicationSettingsAndKeepTheClientsSecurity() {
        // Given a secured cluster's client settings and production topic settings
        Map<String, Object> client = Map.of("bootstrap.servers", "kafka-0:9093,kafka-1:9093", "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512", StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        // When the Streams settings are built
        Properties settings = StreamsDefaults.exactlyOnce("streamfold-enrichment", client, "/var/lib/streamfold/enrichment",
                new TopicSettings((short) 3, 2, Duration.ofDays(730)), 1, null);
        // Then changelogs and repartition topics are created like every other topic, with one standby per task
        assertThat(settings).containsEntry(StreamsConfig.REPLICATION_FACTOR_CONFIG, 3)
                .containsEntry(StreamsConfig.topicPrefix("min.insync.replicas"), "2")
                .containsEntry(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1);
        // ...the cluster's security reaches every client, and what Streamfold depends on cannot be overridden by it
        assertThat(settings).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("bootstrap.servers", "kafka-0:9093,kafka-1:9093")
                .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
                .containsEntry(StreamsConfig.STATE_DIR_CONFIG, "/var/lib/streamfold/enrichment");
    }
}
