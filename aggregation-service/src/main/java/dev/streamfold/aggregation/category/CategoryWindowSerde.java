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
 * Keys of the {@code pending-window-deltas} and {@code category-window-totals} stores (and their changelogs): version
 * byte (1), window start (long, epoch millis, sign bit flipped so that the bytes sort like the numbers, before 1970
 * too), category (int length + UTF-8 bytes). RocksDB keeps keys in byte order, so a store iterates oldest window
 * first, which is how old totals are found and forgotten. Hand-written for the same reasons as {@link WindowDeltaSerde}.
 */
final class CategoryWindowSerde implements Serde<CategoryWindow> {

    static final byte VERSION = 1;

    @Override
    public Serializer<CategoryWindow> serializer() {
        return (topic, key) -> key == null ? null : write(key);
    }

    @Override
    public Deserializer<CategoryWindow> deserializer() {
        return (topic, bytes) -> bytes == null ? null : read(bytes);
    }

    static byte[] write(CategoryWindow key) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(VERSION);
            out.writeLong(key.windowStart() ^ Long.MIN_VALUE);
            WindowDeltaSerde.writeString(out, key.category());
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new SerializationException("Cannot serialize the category window " + key, e);
        }
    }

    static CategoryWindow read(byte[] bytes) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            byte version = in.readByte();
            if (version != VERSION) {
                throw new SerializationException("Unknown category window layout version " + version);
            }
            long windowStart = in.readLong() ^ Long.MIN_VALUE;
            String category = WindowDeltaSerde.readString(in, bytes.length);
            if (in.available() > 0) {
                throw new SerializationException("Not a category window: " + in.available() + " bytes left over");
            }
            return new CategoryWindow(category, windowStart);
        } catch (IOException e) {
            throw new SerializationException("Not a category window", e);
        }
    }
}
