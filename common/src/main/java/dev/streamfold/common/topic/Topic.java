package dev.streamfold.common.topic;

import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * Everything a service needs to know about one topic, declared once in {@link Topics}: name, partition
 * count, cleanup policy and the serdes of its keys and values.
 */
public record Topic<K, V>(String name, int partitions, CleanupPolicy cleanupPolicy, Serde<K> keySerde, Serde<V> valueSerde) {

    public static final String DEAD_LETTER_SUFFIX = ".dlq";

    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(cleanupPolicy, "cleanupPolicy");
        Objects.requireNonNull(keySerde, "keySerde");
        Objects.requireNonNull(valueSerde, "valueSerde");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be positive: " + partitions);
        }
    }

    /** Where records of this topic go when a service cannot read or process them. */
    public String deadLetterTopicName() {
        return deadLetterTopicName(name);
    }

    public static String deadLetterTopicName(String sourceTopic) {
        return sourceTopic + DEAD_LETTER_SUFFIX;
    }

    public NewTopic newTopic(short replicationFactor) {
        return new NewTopic(name, partitions, replicationFactor)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, cleanupPolicy.configValue()));
    }

    /** Dead letters keep the raw bytes, so a single partition with time-based retention is enough. */
    public NewTopic newDeadLetterTopic(short replicationFactor) {
        return new NewTopic(deadLetterTopicName(), 1, replicationFactor)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, CleanupPolicy.DELETE.configValue()));
    }

    public Consumed<K, V> consumedAs(String processorName) {
        return Consumed.with(keySerde, valueSerde).withName(processorName);
    }

    public Produced<K, V> producedAs(String processorName) {
        return Produced.with(keySerde, valueSerde).withName(processorName);
    }
}
