package dev.streamfold.ingest.mapping;

import dev.streamfold.common.topic.Topic;

/** What one Debezium change event becomes. */
public sealed interface MappedChange {

    /**
     * A record for {@code topic}; a {@code null} value is a tombstone. It carries no timestamp: the Kafka record
     * timestamp is when ingest wrote the record, never business time, because retention counts from it. Business time
     * (an order's event time, a row's {@code updated_at}) is a field of the value.
     */
    record Publish<V>(Topic<String, V> topic, String key, V value) implements MappedChange {
    }

    /** A change that is deliberately not published (e.g. an update of an order row, which is not a new order). */
    record Skip(String reason) implements MappedChange {
    }

    /**
     * A change that was meant for {@code topic} but cannot be published.
     *
     * @param lsn   the Debezium source position of the change, -1 when the event has none
     * @param error why: a {@link dev.streamfold.common.order.InvalidOrderException} for an order that breaks the shared
     *              order rule (the same error a directly published order gets), else an {@link UnmappableChangeException}
     */
    record Unmappable(Topic<String, ?> topic, long lsn, RuntimeException error) implements MappedChange {
    }
}
