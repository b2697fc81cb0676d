package dev.streamfold.aggregation.window;

import static dev.streamfold.aggregation.window.EnrichedOrders.changed;
import static dev.streamfold.aggregation.window.EnrichedOrders.databaseOrder;
import static dev.streamfold.aggregation.window.EnrichedOrders.order;
import static dev.streamfold.aggregation.window.EnrichedOrders.window;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.config.StreamfoldProperties;
import dev.streamfold.common.tracing.RecordTracing;
import dev.streamfold.common.accounting.RecordAccounting.Outcome;
import dev.streamfold.common.deadletter.DeadLetterHeaders;
import dev.streamfold.common.order.OrderRules;
import dev.streamfold.common.order.SourceStreamTime;
import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.common.streams.StreamsDefaults;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.schemas.EnrichedOrder;
import dev.streamfold.schemas.OrderOperation;
import dev.streamfold.schemas.OrderSource;
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Orders as an upsert changelog by order id: each change takes the order's previous contribution back out of its
 * window and adds the new one, by the shared revenue rule; versions not newer than the applied one are duplicates.
 * Same driver set-up as {@link CategoryAggregationTopologyTest}: explicit event times, records stamped with the wall
 * clock, {@link #flush()} moves the wall clock by one flush interval.
 */
class OrderChangesTest {

    private static final Duration SIZE = Duration.ofMinutes(1);
    private static final Duration GRACE = Duration.ofMinutes(1);
    private static final Duration FLUSH = Duration.ofMillis(100);
    private static final Instant W1 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant W2 = W1.plus(SIZE);
    private static final Instant W3 = W2.plus(SIZE);
    private static final Instant START = W1.plus(Duration.ofHours(1));
    /** CDC versions are updated_at in microseconds; any growing numbers will do here. */
    private static final long V1 = 1_000;
    private static final long V2 = 2_000;
    private static final long V3 = 3_000;

    @TempDir
    Path stateDir;

    private final Topics topics = new Topics(AvroBinarySerde.factory());
    private final RecordAccounting accounting = RecordAccounting.inMemory("aggregation-service");
    private final String stage = topics.ordersEnriched().name();
    private TopologyTestDriver driver;
    private Instant wallClock;
    private TestInputTopic<String, EnrichedOrder> orders;
    private TestOutputTopic<WindowKey, WindowAggregate> aggregates;
    private TestOutputTopic<String, EnrichedOrder> lateOrders;
    private TestOutputTopic<byte[], byte[]> orderDeadLetters;

    @BeforeEach
    void startDriver() {
        wallClock = START;
        driver = new TopologyTestDriver(
                AggregationTopology.build(topics, AvroBinarySerde.factory(), new WindowSettings(SIZE, GRACE),
                        StreamfoldProperties.Aggregates.defaults(), OrderRules.defaults(), accounting, FLUSH, RecordTracing.off()),
                StreamsDefaults.exactlyOnce("aggregation-test", "unused:9092", stateDir.toString(), (short) 1, accounting),
                START);
        Topic<String, EnrichedOrder> input = topics.ordersEnriched();
        orders = driver.createInputTopic(input.name(), input.keySerde().serializer(), input.valueSerde().serializer());
        aggregates = driver.createOutputTopic(topics.aggregates(AggregateStream.live(Dimension.CATEGORY)).name(),
                topics.aggregates(AggregateStream.live(Dimension.CATEGORY)).keySerde().deserializer(), topics.aggregates(AggregateStream.live(Dimension.CATEGORY)).valueSerde().deserializer());
        lateOrders = driver.createOutputTopic(topics.ordersLate().name(),
                topics.ordersLate().keySerde().deserializer(), topics.ordersLate().valueSerde().deserializer());
        orderDeadLetters = driver.createOutputTopic(input.deadLetterTopicName(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void shouldRetractThePreviousAmountAndAddTheNewOneWhenAnOrderIsUpdated() {
        // Given two counted orders of W1, published
        EnrichedOrder placed = databaseOrder(42, V1, 1, "books", 1_000, "EUR", W1.plusSeconds(5));
        send(placed);
        send(databaseOrder(43, V1, 2, "books", 500, "EUR", W1.plusSeconds(6)));
        flush();

        // When the first one's amount is changed
        send(changed(placed, V2, OrderOperation.UPDATE, o -> o.setAmountMinor(1_200)));
        flush();

        // Then the window still has two orders, with exactly the difference added to the revenue
        assertThat(EnrichedOrders.figures(aggregates.readValuesToList())).containsExactly(
                window("books", W1, W2, 2, Map.of("EUR", 1_500L)),
                window("books", W1, W2, 2, Map.of("EUR", 1_700L)));
        assertThat(accounting.count(stage, Outcome.FORWARDED)).isEqualTo(3);
    }

    @Test
    void shouldApplyAnInsertAndItsUpdateWithinOneFlushAsTheLatestStateOnly() {
        // Given an order placed and changed twice before the pending delta is flushed
        EnrichedOrder placed = databaseOrder(42, V1, 1, "books", 1_000, "EUR", W1.plusSeconds(5));
        send(placed);
        send(changed(placed, V2, OrderOperation.UPDATE, o -> o.setAmountMinor(700)));
        send(changed(placed, V3, OrderOperation.UPDATE, o -> o.setAmountMinor(900).setStatus("PAID")));

        // When the delta is flushed
        flush();

        // Then one order counts, with its latest amount
        assertThat(EnrichedOrders.figures(aggregates.readValuesToList())).containsExactly(window("books", W1, W2, 1, Map.of("EUR", 900L)));
    }

    @Test
    void shouldRemoveACancelledOrderFromCountAndRevenueAndKeepPublishingTheZeroTotal() {
        // Given an order of W1, counted and published
        EnrichedOrder placed = databaseOrder(42, V1, 1, "books", 1_000, "EUR", W1.plusSeconds(5));
        send(placed);
        flush();

        // When it is cancelled
        send(changed(placed, V2, OrderOperation.UPDATE, o -> o.setStatus("CANCELLED")));
        flush();

        // Then W1 counts nothing any more, and its zero total is published rather than left at one order
        assertThat(EnrichedOrders.figures(aggregates.readValuesToList())).containsExactly(
                window("books", W1, W2, 1, Map.of("EUR", 1_000L)),
                window("books", W1, W2, 0, Map.of()));
    }

    @Test
    void shouldCountACancelledOrderAgainOnceAChangeMakesItCountAgain() {
        // Given an order cancelled after it was counted
        EnrichedOrder placed = databaseOrder(42, V1, 1, "books", 1_000, "EUR", W1.plusSeconds(5));
        send(placed);
        send(changed(placed, V2, OrderOperation.UPDATE, o -> o.setStatus("CANCELLED")));
        flush();

        // When the shop takes the cancellation back (the revenue rule only excludes CANCELLED)
        send(changed(placed, V3, OrderOperation.UPDATE, o -> o.setStatus("PAID")));
        flush();

        // Then it counts again, once
        assertThat(latest()).containsExactlyEntriesOf(Map.of(
                new WindowKey("books", W1), window("books", W1, W2, 1, Map.of("EUR", 1_000L))));
    }

    @Test
    void shouldRemoveADeletedOrderFromCountAndRevenue() {
        // Given two counted orders of W1, published
        EnrichedOrder placed = databaseOrder(42, V1, 1, "books", 1_000, "EUR", W1.plusSeconds(5));
        send(placed);
        send(databaseOrder(43, V1, 2, "books", 500, "USD", W1.plusSeconds(6)));
        flush();

        // When the first is deleted (the event holds its last state, status unchanged)
        send(changed(placed, V2, OrderOperation.DELETE, o -> o));
        flush();

        // Then only the other one counts
        assertThat(EnrichedOrders.figures(aggregates.readValuesToList())).containsExactly(
                window("books", W1, W2, 2, Map.of("EUR", 1_000L, "USD", 500L)),
                window("books", W1, W2, 1, Map.of("USD", 500L)));
    }

    @Test
    void shouldIgnoreARedeliveredOrOlderVersionAndCountItAsDuplicate() {
        // Given an order placed and then changed
        EnrichedOrder placed = databaseOrder(42, V1, 1, "books", 1_000, "EUR", W1.plusSeconds(5));
        EnrichedOrder updated = changed(placed, V2, OrderOperation.UPDATE, o -> o.setAmountMinor(1_200));
        send(placed);
        send(updated);
        flush();

        // When the change is re-delivered, and the placement arrives again after it (before and after a flush)
        send(updated);
        send(placed);
        flush();
        send(placed);
        flush();

        // Then only the latest version counts, and the three events are duplicates that changed nothing
        assertThat(latest()).containsExactlyEntriesOf(Map.of(
                new WindowKey("books", W1), window("books", W1, W2, 1, Map.of("EUR", 1_200L))));
        assertThat(accounting.count(stage, Outcome.DUPLICATE)).isEqualTo(3);
        assertThat(accounting.count(stage, Outcome.FORWARDED)).isEqualTo(2);
    }

    @Test
    void shouldIgnoreAnOlderVersionThatArrivesAfterANewerOne() {
        // Given versions of an order that arrive out of order: the update first, then the cancellation, then the placement
        EnrichedOrder placed = databaseOrder(42, V1, 1, "books", 1_000, "EUR", W1.plusSeconds(5));
        send(changed(placed, V2, OrderOperation.UPDATE, o -> o.setAmountMinor(1_200)));
        flush();
        send(changed(placed, V3, OrderOperation.UPDATE, o -> o.setStatus("CANCELLED")));

        // When the older update and the placement arrive after them
        send(changed(placed, V2, OrderOperation.UPDATE, o -> o.setAmountMinor(1_200)));
        send(placed);
        flush();

        // Then the latest version wins, the cancellation: nothing counts, and the late-coming versions are duplicates
        assertThat(EnrichedOrders.figures(aggregates.readValuesToList())).containsExactly(
                window("books", W1, W2, 1, Map.of("EUR", 1_200L)),
                window("books", W1, W2, 0, Map.of()));
        assertThat(accounting.count(stage, Outcome.DUPLICATE)).isEqualTo(2);
    }

    @Test
    void shouldIgnoreOlderVersionsAfterADeleteThatWasTheFirstEventSeen() {
        // Given the delete of an order whose earlier events were never read here
        EnrichedOrder placed = databaseOrder(42, V1, 1, "books", 1_000, "EUR", W1.plusSeconds(5));
        send(changed(placed, V3, OrderOperation.DELETE, o -> o));

        // When its earlier versions arrive afterwards
        send(placed);
        send(changed(placed, V2, OrderOperation.UPDATE, o -> o.setAmountMinor(1_200)));
        send(databaseOrder(43, V1, 2, "books", 500, "EUR", W1.plusSeconds(6)));
        flush();

        // Then the deleted order never counts (the delete was stored although it counted for nothing)
        assertThat(latest()).containsExactlyEntriesOf(Map.of(
                new WindowKey("books", W1), window("books", W1, W2, 1, Map.of("EUR", 500L))));
        assertThat(accounting.count(stage, Outcome.DUPLICATE)).isEqualTo(2);
    }

    @Test
    void shouldApplyAnUpdateThatArrivesAfterOtherOrdersMovedStreamTimeButWithinGrace() {
        // Given an order of W1, then orders that move this partition's stream time into W2 (W1's grace runs until W3)
        EnrichedOrder placed = databaseOrder(42, V1, 1, "books", 1_000, "EUR", W1.plusSeconds(5));
        send(placed);
        send(databaseOrder(43, V1, 2, "games", 300, "EUR", W2.plusSeconds(50)));
        flush();

        // When the W1 order is updated
        send(changed(placed, V2, OrderOperation.UPDATE, o -> o.setAmountMinor(400)));
        flush();

        // Then the update is applied to W1, nothing is late
        assertThat(latest()).containsEntry(new WindowKey("books", W1), window("books", W1, W2, 1, Map.of("EUR", 400L)));
        assertThat(lateOrders.isEmpty()).isTrue();
    }

    @Test
    void shouldForgetAnOrdersContributionOnceEveryWindowOfItIsBeyondTheStragglerHorizon() {
        // Given an order of W1, and another two hours later (past the longest window, the grace and the straggler
        // horizon of an hour)
        EnrichedOrder placed = databaseOrder(42, V1, 1, "books", 1_000, "EUR", W1.plusSeconds(5));
        send(placed);
        driver.advanceWallClockTime(Duration.ofHours(2));
        wallClock = wallClock.plus(Duration.ofHours(2));
        EnrichedOrder recent = databaseOrder(43, V1, 2, "books", 500, "EUR", W1.plus(Duration.ofHours(2)));
        send(recent);

        // When the partials are sent (and old contributions forgotten)
        flush();

        // Then the first order's contribution is gone, the recent one's is kept
        assertThat(storedContribution(placed)).isNull();
        assertThat(storedContribution(recent)).isNotNull();
    }

    @Test
    void shouldSendAChangeWhoseWindowIsClosedAtItsSourceToOrdersLateAndChangeNothing() {
        // Given an order of W1 counted while its source was in W1
        EnrichedOrder placed = databaseOrder(42, V1, 1, "books", 1_000, "EUR", W1.plusSeconds(5));
        sendFromSource(placed, W1.plusSeconds(5));
        flush();
        EnrichedOrders.figures(aggregates.readValuesToList());

        // When a cancellation of it arrives that its source read only after W1's end + grace (W3)
        EnrichedOrder cancelled = changed(placed, V2, OrderOperation.UPDATE, o -> o.setStatus("CANCELLED"));
        sendFromSource(cancelled, W3);
        flush();

        // Then the cancellation is in orders.late, W1's total is untouched, and the order's stored state is still V1
        assertThat(lateOrders.readRecordsToList()).extracting(TestRecord::value).containsExactly(cancelled);
        assertThat(aggregates.isEmpty()).isTrue();
        assertThat(storedContribution(placed))
                .isEqualTo(new OrderContribution(V1, 1, "books", "NL", "EUR", 1_000, 1, true));
        assertThat(accounting.count(stage, Outcome.LATE)).isEqualTo(1);
    }

    @Test
    void shouldMoveAnOrderFromItsOldCategoryToItsNewOneWhenItsProductChangedCategory() {
        // Given an order enriched with its product in "books", counted and published
        EnrichedOrder placed = databaseOrder(42, V1, 1, "books", 1_000, "EUR", W1.plusSeconds(5));
        send(placed);
        send(databaseOrder(43, V1, 2, "books", 100, "EUR", W1.plusSeconds(6)));
        flush();

        // When a later version of it is enriched with the product in "games"
        send(changed(placed, V2, OrderOperation.UPDATE, o -> o.setProductCategory("games").setAmountMinor(1_100)));
        flush();

        // Then it is taken out of "books" and counted in "games", in the same window
        assertThat(latest()).containsExactlyInAnyOrderEntriesOf(Map.of(
                new WindowKey("books", W1), window("books", W1, W2, 1, Map.of("EUR", 100L)),
                new WindowKey("games", W1), window("games", W1, W2, 1, Map.of("EUR", 1_100L))));
    }

    @Test
    void shouldCountARedeliveredDirectOrderOfVersionZeroOnce() {
        // Given an immutable order published directly (version 0), delivered twice, and once more after a flush
        EnrichedOrder direct = order("checkout-7f3a", 1, "books", 1_000, "EUR", W1.plusSeconds(5));
        assertThat(direct.getSource()).isEqualTo(OrderSource.DIRECT);
        assertThat(direct.getVersion()).isZero();
        send(direct);
        send(direct);
        flush();
        send(direct);
        flush();

        // Then it counts once, and the re-deliveries are duplicates
        assertThat(latest()).containsExactlyEntriesOf(Map.of(
                new WindowKey("books", W1), window("books", W1, W2, 1, Map.of("EUR", 1_000L))));
        assertThat(accounting.count(stage, Outcome.DUPLICATE)).isEqualTo(2);
    }

    @Test
    void shouldKeepADatabaseOrderAndADirectOrderWithTheSameOrderIdApart() {
        // Given a database order and a direct order that share order id 42, customer and event time
        Instant placedAt = W1.plusSeconds(5);
        EnrichedOrder fromDatabase = databaseOrder(42, V1, 1, "books", 1_000, "EUR", placedAt);
        EnrichedOrder direct = EnrichedOrder.newBuilder(order("checkout-42", 1, "books", 300, "EUR", placedAt))
                .setOrderId(42).build();
        send(fromDatabase);
        send(direct);
        flush();

        // When the database order is cancelled
        send(changed(fromDatabase, V2, OrderOperation.UPDATE, o -> o.setStatus("CANCELLED")));
        flush();

        // Then both counted (neither was taken for the other's duplicate), and the cancellation removed only its own
        assertThat(EnrichedOrders.figures(aggregates.readValuesToList())).containsExactly(
                window("books", W1, W2, 2, Map.of("EUR", 1_300L)),
                window("books", W1, W2, 1, Map.of("EUR", 300L)));
        assertThat(accounting.count(stage, Outcome.DUPLICATE)).isZero();
    }

    @Test
    void shouldDeadLetterAChangeThatWouldOverflowWithoutChangingTheOrdersState() {
        // Given a window holding the largest euro revenue a long can, and another order worth nothing yet
        send(databaseOrder(41, V1, 1, "books", Long.MAX_VALUE, "EUR", W1.plusSeconds(1)));
        EnrichedOrder placed = databaseOrder(42, V1, 2, "books", 0, "EUR", W1.plusSeconds(2));
        send(placed);

        // When that order's amount is raised (retracting 0 and adding 1 overflows), then another order follows
        send(changed(placed, V2, OrderOperation.UPDATE, o -> o.setAmountMinor(1)));
        send(databaseOrder(43, V1, 3, "books", 5, "USD", W1.plusSeconds(3)));
        flush();

        // Then the change is dead-lettered, the order keeps its previous state, and the others are counted
        List<TestRecord<byte[], byte[]>> deadLetters = orderDeadLetters.readRecordsToList();
        assertThat(deadLetters).hasSize(1);
        assertThat(DeadLetterHeaders.text(deadLetters.getFirst().headers(), DeadLetterHeaders.ERROR_CLASS))
                .isEqualTo(ArithmeticException.class.getName());
        assertThat(storedContribution(placed)).isEqualTo(new OrderContribution(V1, 2, "books", "NL", "EUR", 0, 1, true));
        assertThat(latest()).containsExactlyEntriesOf(Map.of(
                new WindowKey("books", W1), window("books", W1, W2, 3, Map.of("EUR", Long.MAX_VALUE, "USD", 5L))));
    }

    private Map<WindowKey, WindowAggregate> latest() {
        return EnrichedOrders.figures(aggregates.readKeyValuesToMap());
    }

    private OrderContribution storedContribution(EnrichedOrder order) {
        KeyValueStore<ContributionKey, OrderContribution> store = driver.getKeyValueStore(AggregationTopology.ORDER_CONTRIBUTIONS_STORE);
        return store.get(new ContributionKey(order.getEventTime().toEpochMilli(), OrderContribution.identityOf(order)));
    }

    /** Piped as the broker would stamp it: key = customer id, timestamp = the wall clock (write time). */
    private void send(EnrichedOrder order) {
        orders.pipeInput(Long.toString(order.getCustomerId()), order, wallClock);
    }

    /** As enrichment sends it: stamped with the progress of the orders partition it was read from. */
    private void sendFromSource(EnrichedOrder order, Instant sourceStreamTime) {
        RecordHeaders headers = new RecordHeaders();
        SourceStreamTime.stamp(headers, sourceStreamTime.toEpochMilli());
        orders.pipeInput(new TestRecord<>(Long.toString(order.getCustomerId()), order, headers, wallClock));
    }

    /** Moves the wall clock by one flush interval: pending deltas are forwarded and summed. */
    private void flush() {
        driver.advanceWallClockTime(FLUSH);
        wallClock = wallClock.plus(FLUSH);
    }
}
