package dev.streamfold.common.topic;

import java.time.Duration;
import java.util.Objects;

/**
 * How every Streamfold topic is created, whichever service creates it (Kafka Streams' internal topics included): one
 * setting shared by all services, so that no two of them can create a topic differently.
 *
 * @param replicationFactor   copies of each partition; 1 only for a single broker (the local run and tests)
 * @param minInsyncReplicas   copies that must acknowledge a write (with {@code acks=all}, which every Streamfold
 *                            producer uses); replication factor − 1 in production, so one broker may be down
 * @param deadLetterRetention how long dead letters are kept: long, they are records someone still has to look at
 */
public record TopicSettings(short replicationFactor, int minInsyncReplicas, Duration deadLetterRetention) {

    public TopicSettings {
        Objects.requireNonNull(deadLetterRetention, "deadLetterRetention");
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replication factor must be at least 1: " + replicationFactor);
        }
        if (minInsyncReplicas < 1 || minInsyncReplicas > replicationFactor) {
            throw new IllegalArgumentException("min.insync.replicas must be between 1 and the replication factor ("
                    + replicationFactor + "): " + minInsyncReplicas);
        }
        if (deadLetterRetention.isNegative() || deadLetterRetention.isZero()) {
            throw new IllegalArgumentException("dead-letter retention must be positive: " + deadLetterRetention);
        }
    }

    public static final Duration DEFAULT_DEAD_LETTER_RETENTION = Duration.ofDays(3650);

    /** One copy: a single broker, as in the local run and the tests. */
    public static TopicSettings singleBroker() {
        return new TopicSettings((short) 1, 1, DEFAULT_DEAD_LETTER_RETENTION);
    }
}
