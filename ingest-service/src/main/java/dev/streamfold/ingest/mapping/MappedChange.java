package dev.streamfold.ingest.mapping;

import dev.streamfold.common.topic.Topic;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** What one Debezium change event becomes. */
public sealed interface MappedChange {

    /**
     * A record for {@code topic}; a {@code null} value is a tombstone. It carries no timestamp: the Kafka record
     * timestamp is when ingest wrote the record, never business time, because retention counts from it. Business time
     * (an order's event time, a row's {@code updated_at}) is a field of the value, or a header where there is no value
     * (a tombstone's {@link dev.streamfold.common.reference.ValidFrom valid-from}).
     *
     * @param headers sent with the record; a read-only copy, so a published change cannot be altered afterwards
     */
    record Publish<V>(Topic<String, V> topic, String key, V value, Headers headers) implements MappedChange {

        public Publish {
            RecordHeaders copy = new RecordHeaders(headers == null ? new Header[0] : headers.toArray());
            copy.setReadOnly();
            headers = copy;
        }

        /** Without headers. */
        public Publish(Topic<String, V> topic, String key, V value) {
            this(topic, key, value, null);
        }
    }

    /** A change that is deliberately not published (e.g. a truncate, which names no row). */
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
