package dev.streamfold.aggregation.category;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Values of the {@code order-contributions} store and its changelog: one per order in a window still open, so it is
 * kept small. Hand-written for the same reasons as {@link WindowDeltaSerde}. Big-endian layout, version byte first:
 *
 * <pre>
 * byte    layout version (1)
 * long    order version
 * byte    counts (1) or not (0)
 * int     length, UTF-8 bytes of the category
 * int     length, UTF-8 bytes of the currency code
 * long    amount in minor units
 * </pre>
 *
 * Bump the layout version, and keep reading the old one, when the layout changes: the changelog outlives a deployment.
 */
final class OrderContributionSerde implements Serde<OrderContribution> {

    static final byte VERSION = 1;

    @Override
    public Serializer<OrderContribution> serializer() {
        return (topic, contribution) -> contribution == null ? null : write(contribution);
    }

    @Override
    public Deserializer<OrderContribution> deserializer() {
        return (topic, bytes) -> bytes == null ? null : read(bytes);
    }

    static byte[] write(OrderContribution contribution) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(48);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(VERSION);
            out.writeLong(contribution.version());
            out.writeByte(contribution.counts() ? 1 : 0);
            WindowDeltaSerde.writeString(out, contribution.category());
            WindowDeltaSerde.writeString(out, contribution.currency());
            out.writeLong(contribution.amountMinor());
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new SerializationException("Cannot serialize the order contribution " + contribution, e);
        }
    }

    static OrderContribution read(byte[] bytes) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            byte version = in.readByte();
            if (version != VERSION) {
                throw new SerializationException("Unknown order contribution layout version " + version);
            }
            long orderVersion = in.readLong();
            byte counts = in.readByte();
            if (counts != 0 && counts != 1) {
                throw new SerializationException("Not an order contribution: counts flag " + counts);
            }
            String category = WindowDeltaSerde.readString(in, bytes.length);
            String currency = WindowDeltaSerde.readString(in, bytes.length);
            long amountMinor = in.readLong();
            if (in.available() > 0) {
                throw new SerializationException("Not an order contribution: " + in.available() + " bytes left over");
            }
            return new OrderContribution(orderVersion, category, currency, amountMinor, counts == 1);
        } catch (IOException e) {
            throw new SerializationException("Not an order contribution", e);
        }
    }
}
