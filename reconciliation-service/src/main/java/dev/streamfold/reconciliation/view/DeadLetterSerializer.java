package dev.streamfold.reconciliation.view;

import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes a dead letter's key or value. The part that could not be read arrives as its original bytes and is
 * written unchanged; the part that was read (the other half of that record, or both halves of a record the
 * listener failed on) is written back with its topic's own serializer. A plain byte-array serializer would
 * throw on the latter and leave the poison record blocking its partition.
 */
final class DeadLetterSerializer<T> implements Serializer<Object> {

    private final Class<T> type;
    private final Serializer<T> typed;

    DeadLetterSerializer(Class<T> type, Serializer<T> typed) {
        this.type = type;
        this.typed = typed;
    }

    @Override
    public byte[] serialize(String topic, Object data) {
        if (data == null || data instanceof byte[]) {
            return (byte[]) data;
        }
        return typed.serialize(topic, type.cast(data));
    }

    @Override
    public void close() {
        typed.close();
    }
}
