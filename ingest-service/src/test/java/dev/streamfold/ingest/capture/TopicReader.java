package dev.streamfold.ingest.capture;

import static org.awaitility.Awaitility.await;

import dev.streamfold.common.topic.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/** Reads a whole topic from the beginning (or from now on), every partition, accumulating what it has seen so far. */
final class TopicReader<K, V> implements AutoCloseable {

    private final KafkaConsumer<K, V> consumer;
    private final List<TopicPartition> partitions;
    private final List<ConsumerRecord<K, V>> seen = new ArrayList<>();

    private TopicReader(String bootstrapServers, String topic, Deserializer<K> keys, Deserializer<V> values, boolean fromTheEnd) {
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), keys, values);
        partitions = consumer.partitionsFor(topic).stream()
                .map(info -> new TopicPartition(topic, info.partition()))
                .toList();
        consumer.assign(partitions);
        if (fromTheEnd) {
            consumer.seekToEnd(partitions);
            // Seeks are lazy: resolve the end now, or records written before the first poll would count as new.
            partitions.forEach(consumer::position);
        } else {
            consumer.seekToBeginning(partitions);
        }
    }

    private TopicReader(String bootstrapServers, String topic, Deserializer<K> keys, Deserializer<V> values) {
        this(bootstrapServers, topic, keys, values, false);
    }

    /** With the topic's own serdes (use a descriptor of its own: closing the reader closes them). */
    static <K, V> TopicReader<K, V> of(String bootstrapServers, Topic<K, V> topic) {
        return new TopicReader<>(bootstrapServers, topic.name(), topic.keySerde().deserializer(), topic.valueSerde().deserializer());
    }

    /** Like {@link #of}, but only what is written from now on. */
    static <K, V> TopicReader<K, V> ofNewRecords(String bootstrapServers, Topic<K, V> topic) {
        return new TopicReader<>(bootstrapServers, topic.name(), topic.keySerde().deserializer(), topic.valueSerde().deserializer(), true);
    }

    static TopicReader<byte[], byte[]> raw(String bootstrapServers, String topic) {
        return new TopicReader<>(bootstrapServers, topic, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Everything read so far, in partition order, after one more poll. */
    List<ConsumerRecord<K, V>> poll() {
        consumer.poll(Duration.ofMillis(500)).forEach(seen::add);
        return List.copyOf(seen);
    }

    /** Everything from the beginning up to the end every partition had when called. */
    List<ConsumerRecord<K, V>> readToEnd(Duration timeout) {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        return await().atMost(timeout).until(this::poll,
                ignored -> end.entrySet().stream().allMatch(partition -> consumer.position(partition.getKey()) >= partition.getValue()));
    }

    @Override
    public void close() {
        consumer.close();
    }
}
