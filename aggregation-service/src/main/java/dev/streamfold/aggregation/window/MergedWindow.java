package dev.streamfold.aggregation.window;

import java.io.DataInputStream;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** The latest partial of one window from each input partition that sent one: the final stage's state per window. */
final class MergedWindow {

    private static final byte VERSION = 1;

    private final TreeMap<Integer, Partial> bySourcePartition = new TreeMap<>();
    /**
     * Combined once per change: a tumbling window is a pane of several hopping windows, each of which combines it
     * again whenever one of its other panes changes. Read only, like every partial the final stage combines.
     */
    private Partial total;

    MergedWindow with(int sourcePartition, Partial partial) {
        bySourcePartition.put(sourcePartition, partial);
        total = null;
        return this;
    }

    /** @throws ArithmeticException if the partitions' sums together overflow a long */
    Partial total() {
        if (total == null) {
            total = Partial.combine(bySourcePartition.values());
        }
        return total;
    }

    static final class WindowSerde implements Serde<MergedWindow> {

        @Override
        public Serializer<MergedWindow> serializer() {
            return (topic, window) -> window == null ? null : BinaryFormat.write(128, "a merged window", out -> {
                out.writeByte(VERSION);
                out.writeInt(window.bySourcePartition.size());
                for (Map.Entry<Integer, Partial> entry : window.bySourcePartition.entrySet()) {
                    out.writeInt(entry.getKey());
                    entry.getValue().write(out);
                }
            });
        }

        @Override
        public Deserializer<MergedWindow> deserializer() {
            return (topic, bytes) -> bytes == null ? null : BinaryFormat.read(bytes, "a merged window", WindowSerde::read);
        }

        private static MergedWindow read(DataInputStream in, int length) throws IOException {
            BinaryFormat.requireVersion(in, VERSION, "merged window");
            int partitions = in.readInt();
            if (partitions < 0 || partitions > length) {
                throw new SerializationException("Invalid partition count " + partitions);
            }
            MergedWindow window = new MergedWindow();
            for (int i = 0; i < partitions; i++) {
                window.bySourcePartition.put(in.readInt(), Partial.read(in, length));
            }
            return window;
        }
    }
}
