package dev.streamfold.aggregation.window;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The compact layouts of the stores and internal topics only this service reads: a version byte, then fixed fields.
 * Plain Avro through the registry would cost a schema look-up per record for data nobody else decodes.
 */
final class BinaryFormat {

    private BinaryFormat() {
    }

    interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    interface Reader<T> {
        T read(DataInputStream in, int length) throws IOException;
    }

    static byte[] write(int sizeHint, String what, Writer writer) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(sizeHint);
            DataOutputStream out = new DataOutputStream(bytes);
            writer.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new SerializationException("Cannot serialize " + what, e);
        }
    }

    /** Reads a whole record; trailing bytes mean it was not one. */
    static <T> T read(byte[] bytes, String what, Reader<T> reader) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            T value = reader.read(in, bytes.length);
            if (in.available() > 0) {
                throw new SerializationException("Not " + what + ": " + in.available() + " bytes left over");
            }
            return value;
        } catch (IOException | RuntimeException e) {
            if (e instanceof SerializationException serialization) {
                throw serialization;
            }
            throw new SerializationException("Not " + what, e);
        }
    }

    static void requireVersion(DataInputStream in, byte expected, String what) throws IOException {
        byte version = in.readByte();
        if (version != expected) {
            throw new SerializationException("Unknown " + what + " layout version " + version);
        }
    }

    static void writeString(DataOutputStream out, String text) throws IOException {
        byte[] utf8 = text.getBytes(UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    static String readString(DataInputStream in, int maxLength) throws IOException {
        return new String(readBytes(in, maxLength), UTF_8);
    }

    static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static byte[] readBytes(DataInputStream in, int maxLength) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > maxLength) {
            throw new SerializationException("Invalid length " + length);
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    /** Sorted by currency, so that equal maps serialize to equal bytes. */
    static void writeAmounts(DataOutputStream out, Map<String, Long> amounts) throws IOException {
        out.writeInt(amounts.size());
        for (Map.Entry<String, Long> entry : new TreeMap<>(amounts).entrySet()) {
            writeString(out, entry.getKey());
            out.writeLong(entry.getValue());
        }
    }

    static Map<String, Long> readAmounts(DataInputStream in, int maxLength) throws IOException {
        int size = in.readInt();
        if (size < 0 || size > maxLength) {
            throw new SerializationException("Invalid map size " + size);
        }
        Map<String, Long> amounts = new TreeMap<>();
        for (int i = 0; i < size; i++) {
            amounts.put(readString(in, maxLength), in.readLong());
        }
        return amounts;
    }
}
