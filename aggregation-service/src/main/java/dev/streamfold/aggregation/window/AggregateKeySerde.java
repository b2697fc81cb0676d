package dev.streamfold.aggregation.window;

import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.aggregate.WindowKind;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Window start first, big-endian with the sign bit flipped: the byte order of the keys is the order of their windows,
 * so that a store range finds the windows that close or expire, oldest first.
 */
final class AggregateKeySerde implements Serde<AggregateKey> {

    private static final byte VERSION = 1;

    @Override
    public Serializer<AggregateKey> serializer() {
        return (topic, key) -> key == null ? null : write(key);
    }

    @Override
    public Deserializer<AggregateKey> deserializer() {
        return (topic, bytes) -> bytes == null ? null : read(bytes);
    }

    static byte[] write(AggregateKey key) {
        return BinaryFormat.write(32, "the aggregate key " + key, out -> write(out, key));
    }

    static void write(DataOutputStream out, AggregateKey key) throws IOException {
        out.writeByte(VERSION);
        out.writeLong(key.windowStart() ^ Long.MIN_VALUE);
        out.writeByte(key.kind().ordinal());
        out.writeByte(key.dimension().ordinal());
        BinaryFormat.writeString(out, key.value());
    }

    /** The smallest key of any window starting at {@code windowStart}: a range bound. */
    static AggregateKey lowest(long windowStart) {
        return new AggregateKey(Dimension.values()[0], WindowKind.values()[0], "", windowStart);
    }

    static AggregateKey read(byte[] bytes) {
        return BinaryFormat.read(bytes, "an aggregate key", AggregateKeySerde::read);
    }

    static AggregateKey read(DataInputStream in, int maxLength) throws IOException {
        BinaryFormat.requireVersion(in, VERSION, "aggregate key");
        long windowStart = in.readLong() ^ Long.MIN_VALUE;
        WindowKind kind = WindowKind.values()[in.readUnsignedByte()];
        Dimension dimension = Dimension.values()[in.readUnsignedByte()];
        return new AggregateKey(dimension, kind, BinaryFormat.readString(in, maxLength), windowStart);
    }
}
