package dev.streamfold.enrichment.join;

import java.time.Duration;
import java.util.Objects;

/**
 * How long an order may wait for a customer or product that has not arrived yet, and how often it looks again.
 *
 * @param maxWait       wall-clock time after which a waiting order is dead-lettered
 * @param retryInterval wall-clock interval of the retries (Kafka Streams punctuation)
 */
public record ReferenceWait(Duration maxWait, Duration retryInterval) {

    public ReferenceWait {
        requirePositive(maxWait, "maxWait");
        requirePositive(retryInterval, "retryInterval");
    }

    private static void requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        // A punctuation interval under one millisecond is rejected by Kafka Streams.
        if (duration.toMillis() < 1) {
            throw new IllegalArgumentException(name + " must be at least 1 ms: " + duration);
        }
    }
}
