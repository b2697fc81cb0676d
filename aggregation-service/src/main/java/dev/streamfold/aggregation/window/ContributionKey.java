package dev.streamfold.aggregation.window;

import java.io.DataInputStream;
import java.io.IOException;
import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Where an order's contribution is kept: at its event time (its placement, the same in every change of the order),
 * then its identity. The serde writes the event time first, big-endian with the sign bit flipped, so that the store
 * is in event-time order: a window's orders are one range, and expired ones are at the front.
 *
 * <p>Why not a window store: its segments are separate RocksDB instances, and a historical backlog (an order every
 * twenty minutes of event time) opened and dropped one per order, about 25 orders per second.
 */
record ContributionKey(long eventTime, String identity) {

    private static final byte VERSION = 1;

    ContributionKey {
        Objects.requireNonNull(identity, "identity");
    }

    /** The smallest key at an event time: a range bound. */
    static ContributionKey lowest(long eventTime) {
        return new ContributionKey(eventTime, "");
    }

    static final class KeySerde implements Serde<ContributionKey> {

        @Override
        public Serializer<ContributionKey> serializer() {
            return (topic, key) -> key == null ? null : BinaryFormat.write(40, "a contribution key " + key, out -> {
                out.writeByte(VERSION);
                out.writeLong(key.eventTime() ^ Long.MIN_VALUE);
                out.write(key.identity().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            });
        }

        @Override
        public Deserializer<ContributionKey> deserializer() {
            return (topic, bytes) -> bytes == null ? null : BinaryFormat.read(bytes, "a contribution key", KeySerde::read);
        }

        private static ContributionKey read(DataInputStream in, int length) throws IOException {
            BinaryFormat.requireVersion(in, VERSION, "contribution key");
            long eventTime = in.readLong() ^ Long.MIN_VALUE;
            // The rest is the identity. Not readAllBytes(): it allocates a 16 KB buffer per call, and a key is read per
            // order (expiry): 14 % of the stream thread's allocation (JFR, PipelineBenchmark).
            byte[] identity = new byte[length - Byte.BYTES - Long.BYTES];
            in.readFully(identity);
            return new ContributionKey(eventTime, new String(identity, java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
