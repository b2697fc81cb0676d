package dev.streamfold.ingest.capture;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The source position the capture last committed, read straight from Kafka Connect's offsets topic (compacted, keyed
 * by {@code ["<engine name>",{"server":"<logical name>"}]}, the value Debezium's JSON position). Only to tell a first
 * start from a resumed one; the engine reads its position itself.
 */
final class CommittedPosition {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final Map<String, Object> consumerSettings;
    private final String offsetsTopic;

    CommittedPosition(Map<String, Object> clientSettings, String offsetsTopic) {
        this.consumerSettings = new HashMap<>(clientSettings);
        consumerSettings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerSettings.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.offsetsTopic = offsetsTopic;
    }

    /** The latest committed position of this engine, if it ever committed one (and it was not deleted). */
    Optional<String> read() {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerSettings, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(offsetsTopic, READ_TIMEOUT).stream()
                    .map(info -> new TopicPartition(offsetsTopic, info.partition())).toList();
            if (partitions.isEmpty()) {
                return Optional.empty();
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, READ_TIMEOUT);
            String latest = null;
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (!readToEnd(consumer, ends)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot read " + offsetsTopic + " to its end within " + READ_TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (isOurs(record.key())) {
                        latest = record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8);
                    }
                }
            }
            return Optional.ofNullable(latest);
        }
    }

    private static boolean readToEnd(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().allMatch(end -> consumer.position(end.getKey()) >= end.getValue());
    }

    private static boolean isOurs(byte[] key) {
        return key != null && new String(key, StandardCharsets.UTF_8).contains("\"" + DebeziumSettings.ENGINE_NAME + "\"");
    }
}
