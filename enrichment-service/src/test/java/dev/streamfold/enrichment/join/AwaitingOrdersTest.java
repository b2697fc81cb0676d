package dev.streamfold.enrichment.join;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamfold.common.deadletter.DeadLetterSource;
import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.OrderSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The waiting store on a real (in-memory) Kafka Streams key-value store, which orders keys as RocksDB does. */
class AwaitingOrdersTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final ParkedOrderSerde serde = new ParkedOrderSerde(new Topics(AvroBinarySerde.factory()).orders());
    private final KeyValueStore<Bytes, byte[]> store = inMemoryStore();

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void shouldGiveUpTheOldestOrdersToStayWithinTheCountBound() {
        // Given room for three waiting orders
        AwaitingOrders awaiting = new AwaitingOrders(store, serde, 3, Long.MAX_VALUE);
        // When five start waiting, a second apart
        List<List<KeyValue<Bytes, ParkedOrder>>> evicted = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            evicted.add(awaiting.park(parked("evt-" + i, NOW.plusSeconds(i))));
        }
        // Then the first two were pushed out, oldest first, one at a time, and three remain
        assertThat(evicted.stream().flatMap(List::stream).map(entry -> entry.value.order().getEventId()))
                .containsExactly("evt-1", "evt-2");
        assertThat(awaiting.size()).isEqualTo(3);
        assertThat(eventIds(awaiting.due(NOW.plusSeconds(6), RETRY))).containsExactly("evt-3", "evt-4", "evt-5");
    }

    @Test
    void shouldGiveUpTheOldestOrdersToStayWithinTheByteBound() {
        // Given room for about two orders' bytes
        long oneOrder = new AwaitingOrders(store, serde, 10, Long.MAX_VALUE).bytesOf(parked("evt-1", NOW));
        AwaitingOrders awaiting = new AwaitingOrders(store, serde, 100, oneOrder * 2 + oneOrder / 2);
        // When three start waiting
        awaiting.park(parked("evt-1", NOW));
        awaiting.park(parked("evt-2", NOW.plusSeconds(1)));
        List<KeyValue<Bytes, ParkedOrder>> evicted = awaiting.park(parked("evt-3", NOW.plusSeconds(2)));
        // Then the oldest made room, and the bytes kept are those of the two newest
        assertThat(eventIds(evicted)).containsExactly("evt-1");
        assertThat(awaiting.bytes()).isEqualTo(2 * oneOrder);
    }

    @Test
    void shouldLookAtRecentOrdersOnEveryRetryAndAtEachOlderOneWithinTheSweep() {
        // Given 1,000 orders waiting for an hour and three that started waiting a second ago
        AwaitingOrders awaiting = new AwaitingOrders(store, serde, 100_000, Long.MAX_VALUE);
        for (int i = 0; i < 1_000; i++) {
            awaiting.park(parked(String.format("old-%04d", i), NOW.minus(Duration.ofHours(1)).plusMillis(i)));
        }
        for (int i = 0; i < 3; i++) {
            awaiting.park(parked("young-" + i, NOW.minusSeconds(1)));
        }
        // When the retries of SWEEP_ROUNDS intervals run
        Set<String> seen = new HashSet<>();
        for (int round = 0; round < AwaitingOrders.SWEEP_ROUNDS; round++) {
            List<String> due = eventIds(awaiting.due(NOW, RETRY));
            // Then every retry looks at the young ones and at no more than a slice of the old ones
            assertThat(due).contains("young-0", "young-1", "young-2").hasSizeLessThanOrEqualTo(3 + 200);
            seen.addAll(due);
        }
        // ...and by then every old one has been looked at
        assertThat(seen).hasSize(1_003);
    }

    @Test
    void shouldKnowItsSizeAgainAfterARestart() {
        // Given two orders waiting in the store
        AwaitingOrders before = new AwaitingOrders(store, serde, 10, Long.MAX_VALUE);
        before.park(parked("evt-1", NOW));
        before.park(parked("evt-2", NOW));
        before.remove(AwaitingOrders.keyOf(NOW, "evt-1"));
        // When the task starts again on the same store
        AwaitingOrders after = new AwaitingOrders(store, serde, 10, Long.MAX_VALUE);
        // Then it counts what is there
        assertThat(after.size()).isEqualTo(1);
        assertThat(after.bytes()).isEqualTo(before.bytes());
    }

    private static List<String> eventIds(List<KeyValue<Bytes, ParkedOrder>> entries) {
        return entries.stream().map(entry -> entry.value.order().getEventId()).toList();
    }

    private static ParkedOrder parked(String eventId, Instant parkedAt) {
        Order order = Order.newBuilder().setEventId(eventId).setOrderId(1).setCustomerId(7).setProductId(42)
                .setQuantity(1).setAmountMinor(100).setCurrency("EUR").setStatus("PLACED").setEventTime(parkedAt)
                .setSource(OrderSource.DIRECT).build();
        return new ParkedOrder(order, parkedAt.toEpochMilli(), new RecordHeaders(),
                new DeadLetterSource("enrichment-test", "orders", 0, 1L), parkedAt);
    }

    private static KeyValueStore<Bytes, byte[]> inMemoryStore() {
        KeyValueStore<Bytes, byte[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("awaiting"),
                Serdes.Bytes(), Serdes.ByteArray()).withLoggingDisabled().build();
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
        return store;
    }
}
