package dev.streamfold.enrichment.join;

import java.time.Duration;
import java.util.Objects;

/**
 * How long an order may wait for a customer or product that has not arrived yet, how often it looks again, and how
 * many orders (and bytes) may wait at once in one task.
 *
 * @param maxWait           running time after which a waiting order is dead-lettered (once the references' streams have
 *                          also moved that far past it, see {@link ReferenceJoinProcessor})
 * @param retryInterval     wall-clock interval of the retries (Kafka Streams punctuation)
 * @param maxAwaitingOrders how many orders may wait in one task; beyond it the oldest is dead-lettered
 * @param maxAwaitingBytes  how many bytes (keys and values as stored) the waiting orders of one task may take
 */
public record ReferenceWait(Duration maxWait, Duration retryInterval, long maxAwaitingOrders, long maxAwaitingBytes) {

    public static final long DEFAULT_MAX_AWAITING_ORDERS = 100_000;
    public static final long DEFAULT_MAX_AWAITING_BYTES = 64L * 1024 * 1024;

    public ReferenceWait {
        requirePositive(maxWait, "maxWait");
        requirePositive(retryInterval, "retryInterval");
        if (maxAwaitingOrders < 1 || maxAwaitingBytes < 1) {
            throw new IllegalArgumentException("at least one order and one byte must be allowed to wait: "
                    + maxAwaitingOrders + " orders, " + maxAwaitingBytes + " bytes");
        }
    }

    /** With the default bounds. */
    public ReferenceWait(Duration maxWait, Duration retryInterval) {
        this(maxWait, retryInterval, DEFAULT_MAX_AWAITING_ORDERS, DEFAULT_MAX_AWAITING_BYTES);
    }

    private static void requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        // A punctuation interval under one millisecond is rejected by Kafka Streams.
        if (duration.toMillis() < 1) {
            throw new IllegalArgumentException(name + " must be at least 1 ms: " + duration);
        }
    }
}
