package dev.streamfold.enrichment.join;

import dev.streamfold.common.deadletter.DeadLetterSource;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.schemas.Order;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.time.Instant;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The value of the {@code orders-awaiting-references} store (and its changelog). Hand-written rather than Avro
 * because there is no schema for it in {@code schemas}, and only this service reads it back, for at most the
 * maximum wait. The order inside is encoded by the {@code orders} topic's own serde: it then evolves with the
 * registry like every order does, and its bytes are what a dead letter of it carries.
 */
final class ParkedOrderSerde implements Serde<ParkedOrder> {

    /** Bump, and read the old versions too, when the layout changes: a changelog may still hold old records. */
    private static final byte VERSION = 1;
    private static final int NULL_LENGTH = -1;

    private final Topic<String, Order> orders;

    ParkedOrderSerde(Topic<String, Order> orders) {
        this.orders = orders;
    }

    @Override
    public Serializer<ParkedOrder> serializer() {
        return (topic, parked) -> parked == null ? null : write(parked);
    }

    @Override
    public Deserializer<ParkedOrder> deserializer() {
        return (topic, bytes) -> bytes == null ? null : read(bytes);
    }

    /** The order as the {@code orders} topic encodes it. */
    byte[] orderBytes(Order order) {
        return orders.valueSerde().serializer().serialize(orders.name(), order);
    }

    private byte[] write(ParkedOrder parked) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(VERSION);
            writeBytes(out, orderBytes(parked.order()));
            out.writeLong(parked.timestamp());
            out.writeLong(parked.parkedAt().toEpochMilli());
            out.writeUTF(parked.source().service());
            out.writeUTF(parked.source().topic());
            out.writeInt(parked.source().partition());
            out.writeLong(parked.source().offset());
            Header[] headers = parked.headers().toArray();
            out.writeInt(headers.length);
            for (Header header : headers) {
                out.writeUTF(header.key());
                writeBytes(out, header.value());
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new SerializationException("Cannot serialize the waiting order " + parked.order().getEventId(), e);
        }
    }

    private ParkedOrder read(byte[] bytes) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            byte version = in.readByte();
            if (version != VERSION) {
                throw new SerializationException("Unknown waiting-order layout version " + version);
            }
            Order order = orders.valueSerde().deserializer().deserialize(orders.name(), readBytes(in));
            long timestamp = in.readLong();
            Instant parkedAt = Instant.ofEpochMilli(in.readLong());
            DeadLetterSource source = new DeadLetterSource(in.readUTF(), in.readUTF(), in.readInt(), in.readLong());
            int headerCount = in.readInt();
            RecordHeaders headers = new RecordHeaders();
            for (int i = 0; i < headerCount; i++) {
                headers.add(in.readUTF(), readBytes(in));
            }
            return new ParkedOrder(order, timestamp, headers, source, parkedAt);
        } catch (IOException e) {
            throw new SerializationException("Not a waiting order", e);
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] value) throws IOException {
        if (value == null) {
            out.writeInt(NULL_LENGTH);
            return;
        }
        out.writeInt(value.length);
        out.write(value);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length == NULL_LENGTH) {
            return null;
        }
        byte[] value = in.readNBytes(length);
        if (value.length != length) {
            throw new EOFException("Expected " + length + " bytes, found " + value.length);
        }
        return value;
    }
}
