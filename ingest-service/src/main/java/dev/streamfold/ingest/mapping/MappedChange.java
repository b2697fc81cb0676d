package dev.streamfold.ingest.mapping;

import dev.streamfold.common.topic.Topic;
import java.time.Instant;

/** What one Debezium change event becomes. */
public sealed interface MappedChange {

    /**
     * A record for {@code topic}; a {@code null} value is a tombstone.
     *
     * @param timestamp the row's business time, used as the Kafka record timestamp so that downstream joins and
     *                  event-time windows see when things happened, not when they were captured
     */
    record Publish<V>(Topic<String, V> topic, String key, V value, Instant timestamp) implements MappedChange {
    }

    /** A change that is deliberately not published (e.g. an update of an order row, which is not a new order). */
    record Skip(String reason) implements MappedChange {
    }

    /**
     * A change that was meant for {@code topic} but cannot be mapped.
     *
     * @param lsn the Debezium source position of the change, -1 when the event has none
     */
    record Unmappable(Topic<String, ?> topic, long lsn, UnmappableChangeException error) implements MappedChange {
    }
}
