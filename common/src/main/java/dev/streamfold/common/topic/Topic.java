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
    private static final String APPEND_TIME = "LogAppendTime";

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

    /**
     * Record timestamps are the broker's append time, whatever the producer set: event time lives in the payload, and
     * retention must count from when a record was written, so that a snapshot of a ten-year-old database or a replay
     * is not deleted on arrival, and no producer's clock can make the broker reject a record.
     */
    public NewTopic newTopic(TopicSettings settings) {
        return new NewTopic(name, partitions, settings.replicationFactor()).configs(Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, cleanupPolicy.configValue(),
                TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, APPEND_TIME,
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(settings.minInsyncReplicas())));
    }

    /** The dead letters of this topic; see {@link #newDeadLetterTopic(String, TopicSettings)}. */
    public NewTopic newDeadLetterTopic(TopicSettings settings) {
        return newDeadLetterTopic(name, settings);
    }

    /**
     * Dead letters keep the raw bytes, for {@link TopicSettings#deadLetterRetention()} (years by default): a dead
     * letter is a record someone still has to look at or replay. One partition: the volume is small and inspection
     * reads them in order.
     */
    public static NewTopic newDeadLetterTopic(String sourceTopic, TopicSettings settings) {
        return new NewTopic(deadLetterTopicName(sourceTopic), 1, settings.replicationFactor()).configs(Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, CleanupPolicy.DELETE.configValue(),
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(settings.deadLetterRetention().toMillis()),
                TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, APPEND_TIME,
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(settings.minInsyncReplicas())));
    }

    public Consumed<K, V> consumedAs(String processorName) {
        return Consumed.with(keySerde, valueSerde).withName(processorName);
    }

    public Produced<K, V> producedAs(String processorName) {
        return Produced.with(keySerde, valueSerde).withName(processorName);
    }
}
