package dev.streamfold.enrichment.join;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The orders of one task that wait for a customer or product, in a key-value store ordered by when they started
 * waiting (key: wait start, big-endian with the sign flipped so bytes sort like numbers, then the event id). Bounded in
 * count and bytes: {@link #park} evicts the oldest to make room. Read by time, never in full: each retry looks at the
 * orders that started waiting recently, and at a slice of the older ones, resuming where the last slice ended, so every
 * waiting order is looked at again within {@link #SWEEP_ROUNDS} retries however many there are.
 */
final class AwaitingOrders {

    /** Orders younger than this many retry intervals are looked at on every retry. */
    static final int YOUNG_ROUNDS = 5;
    /** Older orders are looked at once every this many retries. */
    static final int SWEEP_ROUNDS = 10;
    private static final int MIN_SLICE = 200;

    private final KeyValueStore<Bytes, byte[]> store;
    private final ParkedOrderSerde serde;
    private final long maxOrders;
    private final long maxBytes;
    private long orders;
    private long bytes;
    /** Key of the last older order looked at; null: start from the oldest. */
    private Bytes sweepCursor;

    AwaitingOrders(KeyValueStore<Bytes, byte[]> store, ParkedOrderSerde serde, long maxOrders, long maxBytes) {
        this.store = store;
        this.serde = serde;
        this.maxOrders = maxOrders;
        this.maxBytes = maxBytes;
        // Once per task start (after restoration): the bound needs the current size.
        try (KeyValueIterator<Bytes, byte[]> all = store.all()) {
            all.forEachRemaining(entry -> {
                orders++;
                bytes += size(entry.key, entry.value);
            });
        }
    }

    /** The key an order is kept under. */
    static Bytes keyOf(Instant parkedAt, String eventId) {
        byte[] id = eventId.getBytes(UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES + id.length)
                .putLong(parkedAt.toEpochMilli() ^ Long.MIN_VALUE).put(id).array());
    }

    /** The event id in a key, for tests and operators looking at the store. */
    static String eventIdOf(Bytes key) {
        byte[] raw = key.get();
        return new String(raw, Long.BYTES, raw.length - Long.BYTES, UTF_8);
    }

    /**
     * Keeps an order waiting; first takes out (and returns, for the caller to dead-letter) the oldest orders needed to
     * stay within the bounds. An order too big for the bound on its own is returned itself.
     */
    List<KeyValue<Bytes, ParkedOrder>> park(ParkedOrder parked) {
        Bytes key = keyOf(parked.parkedAt(), parked.order().getEventId());
        byte[] value = serde.serializer().serialize(null, parked);
        long needed = size(key, value);
        List<KeyValue<Bytes, ParkedOrder>> evicted = new ArrayList<>();
        if (needed > maxBytes) {
            evicted.add(KeyValue.pair(key, parked));
            return evicted;
        }
        byte[] previous = store.get(key);
        if (previous != null) {
            forget(key, previous);
        }
        while (orders + 1 > maxOrders || bytes + needed > maxBytes) {
            evicted.add(evictOldest());
        }
        store.put(key, value);
        orders++;
        bytes += needed;
        return evicted;
    }

    void remove(Bytes key) {
        byte[] value = store.delete(key);
        if (value != null) {
            forget(key, value);
        }
    }

    /** The orders to look at on the retry at {@code now}: all recent ones, and the next slice of the older ones. */
    List<KeyValue<Bytes, ParkedOrder>> due(Instant now, Duration retryInterval) {
        Bytes youngFrom = keyOf(now.minus(retryInterval.multipliedBy(YOUNG_ROUNDS)), "");
        List<KeyValue<Bytes, ParkedOrder>> due = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> young = store.range(youngFrom, null)) {
            young.forEachRemaining(entry -> due.add(decode(entry)));
        }
        long slice = Math.max(MIN_SLICE, (orders + SWEEP_ROUNDS - 1) / SWEEP_ROUNDS);
        int taken = 0;
        Bytes last = null;
        try (KeyValueIterator<Bytes, byte[]> older = store.range(sweepCursor, youngFrom)) {
            while (older.hasNext() && taken < slice) {
                KeyValue<Bytes, byte[]> entry = older.next();
                if (entry.key.equals(sweepCursor) || entry.key.compareTo(youngFrom) >= 0) {
                    continue;
                }
                due.add(decode(entry));
                last = entry.key;
                taken++;
            }
            // A slice that reached the young ones starts over from the oldest next time.
            sweepCursor = older.hasNext() ? last : null;
        }
        return due;
    }

    /** What an order takes against the byte bound: its key and value as stored. */
    long bytesOf(ParkedOrder parked) {
        return size(keyOf(parked.parkedAt(), parked.order().getEventId()), serde.serializer().serialize(null, parked));
    }

    long size() {
        return orders;
    }

    long bytes() {
        return bytes;
    }

    private KeyValue<Bytes, ParkedOrder> evictOldest() {
        KeyValue<Bytes, byte[]> oldest;
        try (KeyValueIterator<Bytes, byte[]> all = store.all()) {
            oldest = all.next();
        }
        remove(oldest.key);
        return decode(oldest);
    }

    private void forget(Bytes key, byte[] value) {
        orders--;
        bytes -= size(key, value);
    }

    private KeyValue<Bytes, ParkedOrder> decode(KeyValue<Bytes, byte[]> entry) {
        return KeyValue.pair(entry.key, serde.deserializer().deserialize(null, entry.value));
    }

    private static long size(Bytes key, byte[] value) {
        return key.get().length + (long) value.length;
    }
}
