package dev.streamfold.suite;

import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.serde.RegistrySerdeFactory;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** What the suite's integration tests do as clients: publish like an application, read topics, read metrics. */
final class SuiteClient implements AutoCloseable {

    private final SuiteSettings settings;
    private final KafkaProducer<byte[], byte[]> producer;
    /** For reading only (no Kafka client closes them): its schema cache outlives a registry outage, as a real reader's. */
    private final Topics readerTopics;

    SuiteClient(SuiteSettings settings) {
        this(settings, Map.of());
    }

    /** @param producerOverrides e.g. another partitioner, to publish as a client in another language would */
    SuiteClient(SuiteSettings settings, Map<String, Object> producerOverrides) {
        this.settings = settings;
        Map<String, Object> producerConfig = new HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5));
        producerConfig.putAll(producerOverrides);
        this.producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
        this.readerTopics = topics();
    }

    /** Kafka clients close the serdes they are given: every caller gets descriptors of its own. */
    Topics topics() {
        return new Topics(new RegistrySerdeFactory(settings.registryUrl()), settings.topicPrefix());
    }

    /** As an application publishes an order: keyed by customer id with the Java client's default partitioner. */
    void publish(Topic<String, Order> orders, Order order) {
        String key = Long.toString(order.getCustomerId());
        send(orders.name(), orders.keySerde().serializer().serialize(orders.name(), key),
                orders.valueSerde().serializer().serialize(orders.name(), order));
    }

    /** Orders in the given sequence (per partition, the broker keeps it), all acknowledged before returning. */
    void publishAll(Topic<String, Order> orders, List<Order> batch) {
        List<java.util.concurrent.Future<RecordMetadata>> sent = new ArrayList<>(batch.size());
        for (Order order : batch) {
            sent.add(producer.send(new ProducerRecord<>(orders.name(),
                    orders.keySerde().serializer().serialize(orders.name(), Long.toString(order.getCustomerId())),
                    orders.valueSerde().serializer().serialize(orders.name(), order))));
        }
        for (java.util.concurrent.Future<RecordMetadata> acknowledged : sent) {
            try {
                acknowledged.get();
            } catch (Exception e) {
                throw new IllegalStateException("publishing to " + orders.name() + " failed", e);
            }
        }
    }

    /** Any bytes at all, acknowledged before returning. */
    void send(String topic, byte[] key, byte[] value) {
        sendAndLocate(topic, key, value);
    }

    /** Any bytes at all; returns where the broker put the record. */
    RecordMetadata sendAndLocate(String topic, byte[] key, byte[] value) {
        try {
            return producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("publishing to " + topic + " failed", e);
        }
    }

    /**
     * Every committed record of a topic, from the beginning to its current end. No consumer group: a read that needs
     * no offsets must not wait for the group coordinator (an auto-commit per poll, and a synchronous one at close that
     * may take 30 s while the broker is busy), nor leave a group behind per read.
     */
    List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            long start = System.nanoTime();
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long located = System.nanoTime();
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            Instant deadline = Instant.now().plusSeconds(30);
            boolean atEnd;
            while (!(atEnd = partitions.stream().allMatch(partition -> consumer.position(partition) >= end.get(partition)))
                    && Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            reportSlowRead(topic, records.size(), atEnd, (located - start) / 1e9, (System.nanoTime() - start) / 1e9);
            return records;
        }
    }

    /** A read that took long, or stopped before the end, says so: a test waiting on it is otherwise left guessing. */
    private static void reportSlowRead(String topic, int records, boolean atEnd, double locatedSeconds, double seconds) {
        if (!atEnd || seconds > 10) {
            System.out.printf("readAll(%s): %,d records in %.1f s (its end offsets after %.1f s)%s%n", topic, records,
                    seconds, locatedSeconds, atEnd ? "" : ", stopped at its 30 s limit before the end");
        }
    }

    /**
     * The latest value of every window in the aggregate topic, as {@code "<count> orders {currency=sum}"}: the form of
     * {@link Ledger#totals()}. Records that are not aggregates (a test's own poison) are skipped.
     */
    Map<Ledger.Key, String> latestAggregates() {
        Topic<WindowKey, WindowAggregate> aggregates = readerTopics.aggregates(AggregateStream.live(Dimension.CATEGORY));
        Map<Ledger.Key, String> latest = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : readAll(aggregates.name())) {
            if (record.value() == null || record.value().length < 5 || record.value()[0] != 0) {
                continue;
            }
            WindowAggregate value = aggregates.valueSerde().deserializer().deserialize(aggregates.name(), record.value());
            latest.put(new Ledger.Key(value.getDimensionValue(), value.getWindowStart()),
                    Ledger.Totals.describe(value.getOrderCount(), value.getRevenueMinor()));
        }
        return latest;
    }

    /** Sum of {@code streamfold_records_total} of one service, stage and outcome, from its Prometheus endpoint. */
    static double recordCount(String prometheus, String stage, String outcome) {
        return sum(prometheus, "streamfold_records_total", Map.of("stage", stage, "outcome", outcome));
    }

    /** Sum of the series of {@code metric} whose labels include {@code wanted}, from a Prometheus text page. */
    static double sum(String prometheus, String metric, Map<String, String> wanted) {
        Pattern line = Pattern.compile("^" + metric + "\\{([^}]*)} ([0-9.eE+-]+)$", Pattern.MULTILINE);
        Matcher matcher = line.matcher(prometheus);
        double sum = 0;
        while (matcher.find()) {
            if (labels(matcher.group(1)).entrySet().containsAll(wanted.entrySet())) {
                sum += Double.parseDouble(matcher.group(2));
            }
        }
        return sum;
    }

    private static Map<String, String> labels(String text) {
        Map<String, String> labels = new HashMap<>();
        Matcher label = Pattern.compile("(\\w+)=\"([^\"]*)\"").matcher(text);
        while (label.find()) {
            labels.put(label.group(1), label.group(2));
        }
        return labels;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
