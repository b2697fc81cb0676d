package dev.streamfold.aggregation.window;

import dev.streamfold.schemas.CustomerLifetime;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Instant;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Compact binary layout of the {@code customer-lifetimes} store, read and written once per applied order: the
 * registry's Avro framing cost a tenth of the stream thread there (JFR, {@code PipelineBenchmark}). Stores written by
 * an earlier version hold registry-framed Avro (first byte 0, the Confluent magic byte); those are still read, through
 * {@code legacy}, so an upgrade needs no reset.
 */
final class CustomerLifetimeSerde implements Serde<CustomerLifetime> {

    static final byte VERSION = 1;
    private static final byte REGISTRY_FRAMED = 0;
    private static final long ABSENT = Long.MIN_VALUE;

    private final Deserializer<CustomerLifetime> legacy;

    CustomerLifetimeSerde(Deserializer<CustomerLifetime> legacy) {
        this.legacy = legacy;
    }

    @Override
    public Serializer<CustomerLifetime> serializer() {
        return (topic, lifetime) -> lifetime == null ? null : BinaryFormat.write(64, "the lifetime totals of customer "
                + lifetime.getCustomerId(), out -> write(out, lifetime));
    }

    @Override
    public Deserializer<CustomerLifetime> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            if (bytes.length > 0 && bytes[0] == REGISTRY_FRAMED) {
                return legacy.deserialize(topic, bytes);
            }
            return BinaryFormat.read(bytes, "a customer's lifetime totals", CustomerLifetimeSerde::read);
        };
    }

    private static void write(DataOutputStream out, CustomerLifetime lifetime) throws IOException {
        out.writeByte(VERSION);
        BinaryFormat.writeString(out, lifetime.getCustomerId());
        out.writeLong(lifetime.getOrderCount());
        out.writeLong(lifetime.getQuantity());
        BinaryFormat.writeAmounts(out, lifetime.getRevenueMinor());
        out.writeLong(lifetime.getFirstOrderAt() == null ? ABSENT : lifetime.getFirstOrderAt().toEpochMilli());
        out.writeLong(lifetime.getLastOrderAt() == null ? ABSENT : lifetime.getLastOrderAt().toEpochMilli());
    }

    private static CustomerLifetime read(DataInputStream in, int length) throws IOException {
        BinaryFormat.requireVersion(in, VERSION, "customer lifetime");
        String customerId = BinaryFormat.readString(in, length);
        long orders = in.readLong();
        long quantity = in.readLong();
        var revenue = BinaryFormat.readAmounts(in, length);
        long first = in.readLong();
        long last = in.readLong();
        return new CustomerLifetime(customerId, orders, quantity, revenue, first == ABSENT ? null : Instant.ofEpochMilli(first),
                last == ABSENT ? null : Instant.ofEpochMilli(last));
    }
}
