package dev.streamfold.aggregation.window;

import java.io.DataInputStream;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Compact binary layout of the repartition's values; only this service reads them. */
final class MergeInputSerde implements Serde<MergeInput> {

    private static final byte VERSION = 1;
    private static final byte PARTIAL = 1;
    private static final byte PROGRESS = 2;
    /** Progress of an idle partition: a type of its own, so that progress records of earlier versions read the same. */
    private static final byte IDLE_PROGRESS = 3;

    @Override
    public Serializer<MergeInput> serializer() {
        return (topic, input) -> input == null ? null : write(input);
    }

    @Override
    public Deserializer<MergeInput> deserializer() {
        return (topic, bytes) -> bytes == null ? null : read(bytes);
    }

    static byte[] write(MergeInput input) {
        return BinaryFormat.write(64, "a partial or progress record", out -> {
            out.writeByte(VERSION);
            switch (input) {
                case PartialUpdate update -> {
                    out.writeByte(PARTIAL);
                    out.writeInt(update.sourcePartition());
                    AggregateKeySerde.write(out, update.key());
                    update.partial().write(out);
                }
                case Progress progress -> {
                    out.writeByte(progress.idle() ? IDLE_PROGRESS : PROGRESS);
                    out.writeInt(progress.sourcePartition());
                    out.writeLong(progress.streamTime());
                }
            }
        });
    }

    static MergeInput read(byte[] bytes) {
        return BinaryFormat.read(bytes, "a partial or progress record", MergeInputSerde::read);
    }

    private static MergeInput read(DataInputStream in, int length) throws IOException {
        BinaryFormat.requireVersion(in, VERSION, "partial or progress");
        byte type = in.readByte();
        int sourcePartition = in.readInt();
        return switch (type) {
            case PARTIAL -> new PartialUpdate(AggregateKeySerde.read(in, length), sourcePartition, Partial.read(in, length));
            case PROGRESS -> new Progress(sourcePartition, in.readLong(), false);
            case IDLE_PROGRESS -> new Progress(sourcePartition, in.readLong(), true);
            default -> throw new SerializationException("Unknown record type " + type);
        };
    }
}
