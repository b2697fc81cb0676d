package dev.streamfold.aggregation.category;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Values of the {@code category-window-deltas} repartition topic and of the {@code pending-window-deltas} store.
 * Hand-written, not Avro: only this service writes and reads them, within one flush and one repartition hop, and a
 * registry look-up per delta would buy nothing. Big-endian layout, version byte first:
 *
 * <pre>
 * byte    version (1)
 * long    window start, epoch millis
 * long    order count
 * int     number of currencies n
 * n times: int length, UTF-8 bytes of the currency code; long revenue in minor units (currencies sorted)
 * int     source partition (-1 while pending)
 * long    source partition's stream time at the flush, epoch millis
 * </pre>
 *
 * Bump the version, and keep reading the old one, when the layout changes: a repartition topic or changelog may still
 * hold records of the previous version during a rolling upgrade.
 */
final class WindowDeltaSerde implements Serde<WindowDelta> {

    static final byte VERSION = 1;

    @Override
    public Serializer<WindowDelta> serializer() {
        return (topic, delta) -> delta == null ? null : write(delta);
    }

    @Override
    public Deserializer<WindowDelta> deserializer() {
        return (topic, bytes) -> bytes == null ? null : read(bytes);
    }

    static byte[] write(WindowDelta delta) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(VERSION);
            out.writeLong(delta.windowStart());
            out.writeLong(delta.orderCount());
            Map<String, Long> revenue = delta.sortedRevenue();
            out.writeInt(revenue.size());
            for (Map.Entry<String, Long> currency : revenue.entrySet()) {
                writeString(out, currency.getKey());
                out.writeLong(currency.getValue());
            }
            out.writeInt(delta.sourcePartition());
            out.writeLong(delta.sourceStreamTime());
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new SerializationException("Cannot serialize the window delta " + delta, e);
        }
    }

    static WindowDelta read(byte[] bytes) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            byte version = in.readByte();
            if (version != VERSION) {
                throw new SerializationException("Unknown window delta layout version " + version);
            }
            long windowStart = in.readLong();
            long orderCount = in.readLong();
            int currencies = in.readInt();
            if (currencies < 0 || currencies > bytes.length) {
                throw new SerializationException("Not a window delta: " + currencies + " currencies");
            }
            Map<String, Long> revenue = new HashMap<>(currencies * 2);
            for (int i = 0; i < currencies; i++) {
                revenue.put(readString(in, bytes.length), in.readLong());
            }
            int sourcePartition = in.readInt();
            long sourceStreamTime = in.readLong();
            if (in.available() > 0) {
                throw new SerializationException("Not a window delta: " + in.available() + " bytes left over");
            }
            return new WindowDelta(windowStart, orderCount, revenue, sourcePartition, sourceStreamTime);
        } catch (IOException e) {
            throw new SerializationException("Not a window delta", e);
        }
    }

    static void writeString(DataOutputStream out, String text) throws IOException {
        byte[] utf8 = text.getBytes(UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    static String readString(DataInputStream in, int maxLength) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > maxLength) {
            throw new SerializationException("Invalid string length " + length);
        }
        byte[] utf8 = in.readNBytes(length);
        if (utf8.length != length) {
            throw new EOFException("Expected " + length + " bytes, found " + utf8.length);
        }
        return new String(utf8, UTF_8);
    }
}
