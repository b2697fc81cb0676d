package dev.streamfold.aggregation.window;

import java.io.DataInputStream;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Compact binary layout of {@link OrderContribution}: written once per applied order, into a changelog. */
final class OrderContributionSerde implements Serde<OrderContribution> {

    static final byte VERSION = 2;

    @Override
    public Serializer<OrderContribution> serializer() {
        return (topic, contribution) -> contribution == null ? null : write(contribution);
    }

    @Override
    public Deserializer<OrderContribution> deserializer() {
        return (topic, bytes) -> bytes == null ? null : read(bytes);
    }

    static byte[] write(OrderContribution contribution) {
        return BinaryFormat.write(64, "the order contribution " + contribution, out -> {
            out.writeByte(VERSION);
            out.writeLong(contribution.version());
            out.writeByte(contribution.counts() ? 1 : 0);
            out.writeLong(contribution.customerId());
            BinaryFormat.writeString(out, contribution.category());
            BinaryFormat.writeString(out, contribution.country());
            BinaryFormat.writeString(out, contribution.currency());
            out.writeLong(contribution.amountMinor());
            out.writeLong(contribution.quantity());
        });
    }

    static OrderContribution read(byte[] bytes) {
        return BinaryFormat.read(bytes, "an order contribution", OrderContributionSerde::read);
    }

    private static OrderContribution read(DataInputStream in, int length) throws IOException {
        BinaryFormat.requireVersion(in, VERSION, "order contribution");
        long orderVersion = in.readLong();
        byte counts = in.readByte();
        if (counts != 0 && counts != 1) {
            throw new SerializationException("Not an order contribution: counts flag " + counts);
        }
        long customerId = in.readLong();
        String category = BinaryFormat.readString(in, length);
        String country = BinaryFormat.readString(in, length);
        String currency = BinaryFormat.readString(in, length);
        return new OrderContribution(orderVersion, customerId, category, country, currency, in.readLong(), in.readLong(),
                counts == 1);
    }
}
