package dev.streamfold.aggregation.window;

import static dev.streamfold.aggregation.window.EnrichedOrders.order;
import static dev.streamfold.aggregation.window.EnrichedOrders.window;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.aggregate.WindowKind;
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
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole topology on TopologyTestDriver. The driver reads every input topic as partition 0 (one task per
 * sub-topology); a second input partition is emulated by piping that partition's deltas straight into the repartition
 * topic, and {@link PerPartitionLatenessTest} checks the per-partition rule on two drivers side by side; order changes
 * (updates, cancellations, deletes, versions) are in {@link OrderChangesTest}.
 *
 * <p>Wall-clock punctuators only fire when the driver's wall clock moves, so {@link #flush()} moves it by one flush
 * interval. Records are piped with the wall clock as their timestamp (write time), as the broker would stamp them.
 */
class CategoryAggregationTopologyTest {

    private static final String APPLICATION_ID = "aggregation-test";
    /** Deltas are counted under the topic they are read from, as the dead-letter handlers count them. */
    private static final String DELTAS_TOPIC = AggregationTopology.partialsRepartitionTopic(APPLICATION_ID);
    private static final Duration SIZE = Duration.ofMinutes(1);
    private static final Duration GRACE = Duration.ofMinutes(1);
    private static final Duration FLUSH = Duration.ofMillis(100);
    /** Start of a window: minute-aligned. */
    private static final Instant W1 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant W2 = W1.plus(SIZE);
    private static final Instant W3 = W2.plus(SIZE);
    /** The service's wall clock at the start of every test: an hour after W1. */
    private static final Instant START = W1.plus(Duration.ofHours(1));
    private static final String DELTAS_DLQ = AggregationTopology.partialsRepartitionTopic(APPLICATION_ID) + ".dlq";

    @TempDir
    Path stateDir;

    private final Topics topics = new Topics(AvroBinarySerde.factory());
    private final RecordAccounting accounting = RecordAccounting.inMemory("aggregation-service");
    private TopologyTestDriver driver;
    private Instant wallClock;
    private TestInputTopic<String, EnrichedOrder> orders;
    private TestInputTopic<byte[], byte[]> rawOrders;
    private TestOutputTopic<WindowKey, WindowAggregate> aggregates;
    private TestOutputTopic<String, EnrichedOrder> lateOrders;
    private TestOutputTopic<byte[], byte[]> orderDeadLetters;
    private TestOutputTopic<byte[], byte[]> deltaDeadLetters;

    @BeforeEach
    void startDriver() {
        wallClock = START;
        driver = new TopologyTestDriver(
                AggregationTopology.build(topics, AvroBinarySerde.factory(), new WindowSettings(SIZE, GRACE),
                        StreamfoldProperties.Aggregates.defaults(), OrderRules.defaults(), accounting, FLUSH, RecordTracing.off()),
                StreamsDefaults.exactlyOnce(APPLICATION_ID, "unused:9092", stateDir.toString(), (short) 1, accounting),
                START);
        Topic<String, EnrichedOrder> input = topics.ordersEnriched();
        orders = driver.createInputTopic(input.name(), input.keySerde().serializer(), input.valueSerde().serializer());
        rawOrders = driver.createInputTopic(input.name(), Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
        aggregates = driver.createOutputTopic(topics.aggregates(AggregateStream.live(Dimension.CATEGORY)).name(),
                topics.aggregates(AggregateStream.live(Dimension.CATEGORY)).keySerde().deserializer(), topics.aggregates(AggregateStream.live(Dimension.CATEGORY)).valueSerde().deserializer());
        lateOrders = driver.createOutputTopic(topics.ordersLate().name(),
                topics.ordersLate().keySerde().deserializer(), topics.ordersLate().valueSerde().deserializer());
        orderDeadLetters = driver.createOutputTopic(input.deadLetterTopicName(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        deltaDeadLetters = driver.createOutputTopic(DELTAS_DLQ, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void shouldCountOrdersAndSumRevenuePerCategoryAndWindow() {
        // Given orders of two categories spread over two windows
        send(order("e1", 1, "books", 1_000, "EUR", W1.plusSeconds(1)));
        send(order("e2", 2, "games", 4_999, "EUR", W1.plusSeconds(20)));
        send(order("e3", 1, "books", 250, "EUR", W1.plusSeconds(59)));
        send(order("e4", 3, "books", 700, "EUR", W2));
        send(order("e5", 2, "games", 1, "EUR", W2.plusSeconds(30)));

        // When the pending deltas are flushed and the latest aggregate of every window is read
        flush();
        Map<WindowKey, WindowAggregate> latest = EnrichedOrders.figures(aggregates.readKeyValuesToMap());

        // Then each category has exact counts and sums in the right windows, bounds [start, end)
        assertThat(latest).containsExactlyInAnyOrderEntriesOf(Map.of(
                new WindowKey("books", W1), window("books", W1, W2, 2, Map.of("EUR", 1_250L)),
                new WindowKey("games", W1), window("games", W1, W2, 1, Map.of("EUR", 4_999L)),
                new WindowKey("books", W2), window("books", W2, W3, 1, Map.of("EUR", 700L)),
                new WindowKey("games", W2), window("games", W2, W3, 1, Map.of("EUR", 1L))));
    }

    @Test
    void shouldAddUpDeltasOfSeveralFlushesAndPublishEveryNewTotal() {
        // Given an order flushed on its own
        send(order("e1", 1, "books", 100, "EUR", W1.plusSeconds(1)));
        flush();

        // When two more orders of the same window are flushed later
        send(order("e2", 2, "books", 200, "EUR", W1.plusSeconds(2)));
        send(order("e3", 3, "books", 300, "USD", W1.plusSeconds(3)));
        flush();

        // Then one update per flush was published, the second with the running total
        assertThat(EnrichedOrders.figures(aggregates.readValuesToList())).containsExactly(
                window("books", W1, W2, 1, Map.of("EUR", 100L)),
                window("books", W1, W2, 3, Map.of("EUR", 300L, "USD", 300L)));
    }

    @Test
    void shouldPublishNothingUntilTheWallClockFlushesPendingDeltas() {
        // Given an accepted order
        send(order("e1", 1, "books", 100, "EUR", W1.plusSeconds(1)));

        // When no flush interval has passed on the wall clock
        driver.advanceWallClockTime(FLUSH.minusMillis(1));

        // Then it is pending in the partition's partial, not published yet
        assertThat(aggregates.isEmpty()).isTrue();
        flush();
        assertThat(EnrichedOrders.figures(aggregates.readValuesToList())).containsExactly(window("books", W1, W2, 1, Map.of("EUR", 100L)));
    }

    @Test
    void shouldKeepRevenueInDifferentCurrenciesApart() {
        // Given orders of one category and window in two currencies
        send(order("e1", 1, "books", 1_000, "EUR", W1.plusSeconds(1)));
        send(order("e2", 2, "books", 300, "USD", W1.plusSeconds(2)));
        send(order("e3", 3, "books", 50, "EUR", W1.plusSeconds(3)));

        // When the aggregate is read
        flush();
        WindowAggregate books = EnrichedOrders.figures(aggregates.readKeyValuesToMap()).get(new WindowKey("books", W1));

        // Then one order count, and one revenue sum per currency
        assertThat(books).isEqualTo(window("books", W1, W2, 3, Map.of("EUR", 1_050L, "USD", 300L)));
    }

    @Test
    void shouldCountARedeliveredEventOnce() {
        // Given an order, a re-delivery in the same flush interval and another after the flush
        EnrichedOrder order = order("e1", 1, "books", 1_000, "EUR", W1.plusSeconds(5));
        send(order);
        send(order);
        flush();
        send(order);
        flush();

        // When the aggregates are read
        Map<WindowKey, WindowAggregate> latest = EnrichedOrders.figures(aggregates.readKeyValuesToMap());

        // Then the event counted once, and the re-deliveries as duplicates
        assertThat(latest).containsExactlyEntriesOf(Map.of(
                new WindowKey("books", W1), window("books", W1, W2, 1, Map.of("EUR", 1_000L))));
        assertThat(accounting.count(topics.ordersEnriched().name(), Outcome.DUPLICATE)).isEqualTo(2);
    }

    @Test
    void shouldStillCountAnOrderThatIsLateButWithinGrace() {
        // Given stream time already in the next window, but less than the grace period after W1's end
        send(order("e1", 2, "books", 200, "EUR", W2.plusSeconds(30)));

        // When an order of W1 arrives
        send(order("e2", 1, "books", 400, "EUR", W1.plusSeconds(30)));

        // Then it is counted in W1
        flush();
        assertThat(EnrichedOrders.figures(aggregates.readKeyValuesToMap()).get(new WindowKey("books", W1)))
                .isEqualTo(window("books", W1, W2, 1, Map.of("EUR", 400L)));
        assertThat(lateOrders.isEmpty()).isTrue();
    }

    @Test
    void shouldSendAnOrderPastGraceToOrdersLateWithTheReasonAndNotCountIt() {
        // Given a counted order of W1, then stream time reaching W1's end + grace (W3 = W1 end + 1 minute)
        send(order("e1", 1, "books", 100, "EUR", W1.plusSeconds(10)));
        send(order("e2", 2, "books", 200, "EUR", W3));

        // When an order of W1 arrives after that
        EnrichedOrder late = order("e3", 1, "books", 400, "EUR", W1.plusSeconds(30));
        send(late);
        flush();

        // Then W1 keeps only the order that was on time
        assertThat(EnrichedOrders.figures(aggregates.readKeyValuesToMap()).get(new WindowKey("books", W1)))
                .isEqualTo(window("books", W1, W2, 1, Map.of("EUR", 100L)));
        // And the late order is in orders.late, unchanged, same key, stamped with the wall clock, saying why
        List<TestRecord<String, EnrichedOrder>> lateRecords = lateOrders.readRecordsToList();
        assertThat(lateRecords).hasSize(1);
        TestRecord<String, EnrichedOrder> record = lateRecords.getFirst();
        assertThat(record.key()).isEqualTo("1");
        assertThat(record.value()).isEqualTo(late);
        assertThat(record.getRecordTime()).isEqualTo(START);
        Headers headers = record.headers();
        assertThat(text(headers, LateOrderHeaders.WINDOW_START)).isEqualTo(W1.toString());
        assertThat(text(headers, LateOrderHeaders.WINDOW_END)).isEqualTo(W2.toString());
        assertThat(text(headers, LateOrderHeaders.STREAM_TIME)).isEqualTo(W3.toString());
        assertThat(text(headers, LateOrderHeaders.SERVICE)).isEqualTo(APPLICATION_ID);
        assertThat(text(headers, LateOrderHeaders.REASON))
                .contains(W1.toString(), W2.toString(), "closed at " + W3, "PT1M", "orders.enriched-0");
        assertThat(accounting.count(topics.ordersEnriched().name(), Outcome.LATE)).isEqualTo(1);
    }

    @Test
    void shouldJudgeAnOrderByItsSourcePartitionsProgressNotByTheOrdersThatOvertookIt() {
        // Given orders from source partitions that have reached W3: this partition's stream time is past W1's end + grace
        sendFromSource(order("e1", 1, "books", 100, "EUR", W3), W3);

        // When an order of W1 arrives that was read at its source while that source was still in W1 (it was re-routed
        // or kept waiting), and another of W1 that its source read only after reaching W3
        sendFromSource(order("e2", 2, "books", 400, "EUR", W1.plusSeconds(30)), W1.plusSeconds(40));
        EnrichedOrder lateAtSource = order("e3", 3, "books", 800, "EUR", W1.plusSeconds(50));
        sendFromSource(lateAtSource, W3);
        flush();

        // Then the first is counted in W1, and only the one that was late at its source is late
        assertThat(EnrichedOrders.figures(aggregates.readKeyValuesToMap()).get(new WindowKey("books", W1)))
                .isEqualTo(window("books", W1, W2, 1, Map.of("EUR", 400L)));
        TestRecord<String, EnrichedOrder> late = lateOrders.readRecord();
        assertThat(late.value()).isEqualTo(lateAtSource);
        assertThat(text(late.headers(), LateOrderHeaders.STREAM_TIME)).isEqualTo(W3.toString());
        assertThat(text(late.headers(), LateOrderHeaders.REASON)).contains("the orders partition it was first read from");
        assertThat(lateOrders.isEmpty()).isTrue();
    }

    @Test
    void shouldRebuildAWindowThisPartitionClosedWhenAnOrderOnTimeAtItsSourceComesForIt() {
        // Given W1 counted with two orders and sent, then this partition's stream time moved past W1's end + grace
        sendFromSource(order("e1", 1, "books", 100, "EUR", W1.plusSeconds(10)), W1.plusSeconds(10));
        sendFromSource(order("e2", 2, "books", 200, "EUR", W1.plusSeconds(20)), W1.plusSeconds(20));
        flush();
        sendFromSource(order("e3", 3, "games", 1, "EUR", W3), W3);
        flush();
        aggregates.readRecordsToList();

        // When an order of W1 comes that was on time at its source (re-routed, or caught up after an outage)
        sendFromSource(order("e4", 4, "books", 400, "EUR", W1.plusSeconds(30)), W1.plusSeconds(40));

        // Then W1's figures hold all three orders: the window was rebuilt from the store, not started empty, and sent
        // at once, in the transaction of the change (a restart rebuilds open windows only), not at the next flush
        assertThat(EnrichedOrders.figures(aggregates.readKeyValuesToMap()).get(new WindowKey("books", W1)))
                .isEqualTo(window("books", W1, W2, 3, Map.of("EUR", 700L)));
        assertThat(lateOrders.isEmpty()).isTrue();
    }

    @Test
    void shouldSendAnOrderOnTimeAtItsSourceToOrdersLateWhenItsWindowIsBeyondThisPartitionsHorizon() {
        // Given W1 counted, and this partition's stream time two hours further (beyond the longest window + grace +
        // the straggler horizon of an hour)
        sendFromSource(order("e1", 1, "books", 100, "EUR", W1.plusSeconds(10)), W1.plusSeconds(10));
        driver.advanceWallClockTime(Duration.ofHours(2));
        wallClock = wallClock.plus(Duration.ofHours(2));
        sendFromSource(order("e2", 2, "games", 1, "EUR", W1.plus(Duration.ofHours(2))), W1.plus(Duration.ofHours(2)));
        flush();
        aggregates.readRecordsToList();

        // When an order of W1 comes that its source read while still in W1
        EnrichedOrder straggler = order("e3", 3, "books", 400, "EUR", W1.plusSeconds(30));
        sendFromSource(straggler, W1.plusSeconds(40));
        flush();

        // Then it goes to orders.late, saying why, and W1 is not published again
        TestRecord<String, EnrichedOrder> late = lateOrders.readRecord();
        assertThat(late.value()).isEqualTo(straggler);
        assertThat(text(late.headers(), LateOrderHeaders.REASON)).contains("straggler horizon");
        assertThat(EnrichedOrders.figures(aggregates.readKeyValuesToMap())).doesNotContainKey(new WindowKey("books", W1));
    }

    @Test
    void shouldCountABacklogSpanningTenMinutesOfEventTimeArrivingInOrder() {
        // Given a backlog of ten minutes of orders, one every ten seconds, read in one go after an outage (grace 1 minute)
        List<EnrichedOrder> backlog = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            backlog.add(order("backlog-" + i, 1 + i % 4, "books", 10, "EUR", W1.plusSeconds(10L * i)));
        }

        // When it is processed without the wall clock moving in between
        backlog.forEach(this::send);
        flush();

        // Then every order is counted, six in each of the ten windows, and none is late
        Map<WindowKey, WindowAggregate> latest = EnrichedOrders.figures(aggregates.readKeyValuesToMap());
        assertThat(latest).hasSize(10);
        for (int minute = 0; minute < 10; minute++) {
            Instant start = W1.plus(SIZE.multipliedBy(minute));
            assertThat(latest.get(new WindowKey("books", start)))
                    .isEqualTo(window("books", start, start.plus(SIZE), 6, Map.of("EUR", 60L)));
        }
        assertThat(lateOrders.isEmpty()).isTrue();
    }

    @Test
    void shouldAddThePartialOfAPartitionCatchingUpToWindowsAnotherPartitionHasLongPassed() {
        // Given partition 0 (the driver's) five minutes of event time ahead of W1
        send(order("e1", 1, "books", 100, "EUR", W1.plusSeconds(10)));
        send(order("e2", 2, "books", 200, "EUR", W1.plus(Duration.ofMinutes(5))));
        flush();

        // When the task of partition 1, catching up a backlog, sends its partial of W1 into the repartition topic
        partials().pipeInput("books", new PartialUpdate(categoryWindow("books", W1), 1, partial(3, 10, "EUR")), wallClock);

        // Then W1's figures include it: after the repartition nothing is judged late
        assertThat(EnrichedOrders.figures(aggregates.readKeyValuesToMap()).get(new WindowKey("books", W1)))
                .isEqualTo(window("books", W1, W2, 4, Map.of("EUR", 130L)));
    }

    @Test
    void shouldReplaceAPartitionsEarlierPartialRatherThanAddItAgain() {
        // Given partition 1's partial of W1 received once
        partials().pipeInput("books", new PartialUpdate(categoryWindow("books", W1), 1, partial(2, 10, "EUR")), wallClock);

        // When it is re-delivered, then replaced by a newer one
        partials().pipeInput("books", new PartialUpdate(categoryWindow("books", W1), 1, partial(2, 10, "EUR")), wallClock);
        partials().pipeInput("books", new PartialUpdate(categoryWindow("books", W1), 1, partial(3, 10, "EUR")), wallClock);

        // Then each figure is partition 1's latest partial, never a sum of its partials
        assertThat(EnrichedOrders.figures(aggregates.readValuesToList())).containsExactly(
                window("books", W1, W2, 2, Map.of("EUR", 20L)),
                window("books", W1, W2, 2, Map.of("EUR", 20L)),
                window("books", W1, W2, 3, Map.of("EUR", 30L)));
    }

    @Test
    void shouldForgetAWindowOnlyOnceEveryInputPartitionIsPastItByTheRetention() {
        // Given figures for W1 from partition 3, and the three other partitions two days (twice the retention) further
        Instant twoDaysLater = W1.plus(Duration.ofDays(2));
        partials().pipeInput("books", new PartialUpdate(categoryWindow("books", W1), 3, partial(1, 10, "EUR")), wallClock);
        partials().pipeInput(WindowOrders.PROGRESS_KEY, new Progress(3, W1.plusSeconds(10).toEpochMilli()), wallClock);
        for (int partition = 0; partition < 3; partition++) {
            partials().pipeInput(WindowOrders.PROGRESS_KEY, new Progress(partition, twoDaysLater.toEpochMilli()), wallClock);
        }

        // When partition 3, far behind, sends W1 again after a purge has run
        driver.advanceWallClockTime(MergePartials.PURGE_INTERVAL);
        partials().pipeInput("books", new PartialUpdate(categoryWindow("books", W1), 3, partial(3, 10, "EUR")), wallClock);

        // Then W1 was not forgotten: its figures are partition 3's latest
        assertThat(EnrichedOrders.figures(aggregates.readKeyValuesToMap()).get(new WindowKey("books", W1)))
                .isEqualTo(window("books", W1, W2, 3, Map.of("EUR", 30L)));

        // When that partition too is two days further, and a purge runs
        partials().pipeInput(WindowOrders.PROGRESS_KEY, new Progress(3, twoDaysLater.toEpochMilli()), wallClock);
        driver.advanceWallClockTime(MergePartials.PURGE_INTERVAL);
        aggregates.readRecordsToList();

        // Then W1 is forgotten: a partial for it could only come from a bug, and is dead-lettered, never published
        partials().pipeInput("books", new PartialUpdate(categoryWindow("books", W1), 3, partial(4, 10, "EUR")), wallClock);
        assertThat(deltaDeadLetters.readRecordsToList()).extracting(record -> MergeInputSerde.read(record.value()))
                .singleElement().isInstanceOf(PartialUpdate.class);
        assertThat(aggregates.isEmpty()).isTrue();
    }

    static Stream<Arguments> invalidOrders() {
        EnrichedOrder valid = order("bad", 5, "books", 500, "EUR", W1.plusSeconds(40));
        return Stream.of(
                Arguments.of("event time in year 9999", with(valid, o -> o.setEventTime(Instant.parse("9999-01-01T00:00:00Z")))),
                Arguments.of("event time in year 1", with(valid, o -> o.setEventTime(Instant.parse("0001-01-01T00:00:00Z")))),
                Arguments.of("zero quantity", with(valid, o -> o.setQuantity(0))),
                Arguments.of("negative quantity", with(valid, o -> o.setQuantity(-1))),
                Arguments.of("negative amount", with(valid, o -> o.setAmountMinor(-1))),
                Arguments.of("currency eu1", with(valid, o -> o.setCurrency("eu1"))),
                Arguments.of("empty currency", with(valid, o -> o.setCurrency(""))),
                Arguments.of("currency ZZZ", with(valid, o -> o.setCurrency("ZZZ"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidOrders")
    void shouldDeadLetterAnInvalidOrderWithoutMovingStreamTime(String problem, EnrichedOrder invalid) {
        // Given an on-time order, then an invalid one
        send(order("e1", 1, "books", 100, "EUR", W1.plusSeconds(10)));
        send(invalid);

        // When another on-time order of the same window follows
        send(order("e2", 2, "books", 200, "EUR", W1.plusSeconds(20)));
        flush();

        // Then the invalid order is in orders.enriched.dlq byte for byte, and both valid ones count
        List<TestRecord<byte[], byte[]>> deadLetters = orderDeadLetters.readRecordsToList();
        assertThat(deadLetters).hasSize(1);
        assertThat(deadLetters.getFirst().value())
                .isEqualTo(topics.ordersEnriched().valueSerde().serializer().serialize(topics.ordersEnriched().name(), invalid));
        assertThat(text(deadLetters.getFirst().headers(), DeadLetterHeaders.ERROR_CLASS))
                .isEqualTo("dev.streamfold.common.order.InvalidOrderException");
        assertThat(EnrichedOrders.figures(aggregates.readKeyValuesToMap())).containsExactlyEntriesOf(Map.of(
                new WindowKey("books", W1), window("books", W1, W2, 2, Map.of("EUR", 300L))));
        assertThat(lateOrders.isEmpty()).isTrue();
    }

    @Test
    void shouldDeadLetterAnOrderNotKeyedByItsCustomerIdOrWithoutValue() {
        // Given an order keyed by something else than its customer id, and a record without a value
        EnrichedOrder misKeyed = order("e1", 1, "books", 100, "EUR", W1.plusSeconds(10));
        orders.pipeInput("c1", misKeyed, wallClock);
        rawOrders.pipeInput("2".getBytes(UTF_8), null, wallClock);

        // When a valid order follows
        send(order("e2", 2, "books", 200, "EUR", W1.plusSeconds(20)));
        flush();

        // Then both are dead-lettered and only the valid order counts
        assertThat(orderDeadLetters.readKeyValuesToList()).extracting(kv -> new String(kv.key, UTF_8))
                .containsExactly("c1", "2");
        assertThat(EnrichedOrders.figures(aggregates.readKeyValuesToMap())).containsExactlyEntriesOf(Map.of(
                new WindowKey("books", W1), window("books", W1, W2, 1, Map.of("EUR", 200L))));
    }

    @Test
    void shouldDeadLetterTheOrderWhoseRevenueWouldOverflowBeforeTheRepartition() {
        // Given an order worth the largest amount a long holds
        send(order("e1", 1, "books", Long.MAX_VALUE, "EUR", W1.plusSeconds(1)));

        // When a second order in the same flush interval would overflow that window's euro revenue
        EnrichedOrder overflowing = order("e2", 2, "books", 1, "EUR", W1.plusSeconds(2));
        send(overflowing);
        // And the next order (another currency) follows
        send(order("e3", 3, "books", 5, "USD", W1.plusSeconds(3)));
        flush();

        // Then the second order is dead-lettered with its own bytes; the first and the next are counted
        List<TestRecord<byte[], byte[]>> deadLetters = orderDeadLetters.readRecordsToList();
        assertThat(deadLetters).hasSize(1);
        assertThat(deadLetters.getFirst().value()).isEqualTo(
                topics.ordersEnriched().valueSerde().serializer().serialize(topics.ordersEnriched().name(), overflowing));
        assertThat(text(deadLetters.getFirst().headers(), DeadLetterHeaders.ERROR_CLASS)).isEqualTo(ArithmeticException.class.getName());
        assertThat(EnrichedOrders.figures(aggregates.readKeyValuesToMap())).containsExactlyEntriesOf(Map.of(
                new WindowKey("books", W1), window("books", W1, W2, 2, Map.of("EUR", Long.MAX_VALUE, "USD", 5L))));
        assertThat(deltaDeadLetters.isEmpty()).isTrue();
    }

    @Test
    void shouldDeadLetterAPartialThatOverflowsTheWindowWhenCombinedWithTheOtherPartitions() {
        // Given an order worth the largest amount a long holds, counted in W1 on partition 0
        send(order("e1", 1, "books", Long.MAX_VALUE, "EUR", W1.plusSeconds(1)));
        flush();

        // When partition 1 sends a partial of W1 that overflows the sum, then partition 0 counts another order
        partials().pipeInput("books", new PartialUpdate(categoryWindow("books", W1), 1, partial(1, 1, "EUR")), wallClock);
        send(order("e3", 3, "books", 5, "USD", W1.plusSeconds(3)));
        flush();

        // Then the partial is dead-lettered to the repartition topic's dead-letter topic, and the others are counted
        List<TestRecord<byte[], byte[]>> deadLetters = deltaDeadLetters.readRecordsToList();
        assertThat(deadLetters).hasSize(1);
        assertThat(MergeInputSerde.read(deadLetters.getFirst().value())).isInstanceOf(PartialUpdate.class);
        assertThat(text(deadLetters.getFirst().headers(), DeadLetterHeaders.SOURCE_TOPIC))
                .isEqualTo(AggregationTopology.partialsRepartitionTopic(APPLICATION_ID));
        assertThat(text(deadLetters.getFirst().headers(), DeadLetterHeaders.ERROR_CLASS)).isEqualTo(ArithmeticException.class.getName());
        assertThat(EnrichedOrders.figures(aggregates.readKeyValuesToMap())).containsExactlyEntriesOf(Map.of(
                new WindowKey("books", W1), window("books", W1, W2, 2, Map.of("EUR", Long.MAX_VALUE, "USD", 5L))));
        assertThat(accounting.count(DELTAS_TOPIC, Outcome.DEAD_LETTERED)).isEqualTo(1);
    }

    @Test
    void shouldCountAnOrderFromAFastClockWithoutClosingWindowsEarly() {
        // Given an order whose event time is half an hour ahead of the wall clock (within the allowed skew)
        Instant ahead = START.plus(Duration.ofMinutes(30));
        send(order("e1", 1, "books", 100, "EUR", ahead));

        // When an order from just before now arrives (its window closes a minute after now)
        Instant justBefore = START.minusSeconds(30);
        send(order("e2", 2, "books", 200, "EUR", justBefore));
        flush();

        // Then both are counted: stream time stopped at the wall clock
        Instant aheadWindow = ahead.minusMillis(ahead.toEpochMilli() % SIZE.toMillis());
        Instant justBeforeWindow = justBefore.minusMillis(justBefore.toEpochMilli() % SIZE.toMillis());
        assertThat(EnrichedOrders.figures(aggregates.readKeyValuesToMap())).containsOnlyKeys(
                new WindowKey("books", aheadWindow), new WindowKey("books", justBeforeWindow));
        assertThat(lateOrders.isEmpty()).isTrue();
    }

    @Test
    void shouldWindowByTheOrdersEventTimeAndStampOutputsWithTheWallClock() {
        // Given an order of W1 carried by a record stamped much later (its write time)
        Instant written = W3.plus(Duration.ofMinutes(30));
        orders.pipeInput("1", order("e1", 1, "books", 100, "EUR", W1.plusSeconds(10)), written);

        // When the pending delta is flushed
        flush();

        // Then the order counts in W1, and the published aggregate carries the wall-clock time of its writing
        List<TestRecord<WindowKey, WindowAggregate>> published = aggregates.readRecordsToList();
        assertThat(published).extracting(TestRecord::key).containsExactly(new WindowKey("books", W1));
        assertThat(published.getFirst().getRecordTime()).isEqualTo(wallClock);
    }

    @Test
    void shouldAccountForEveryRecordReceived() {
        // Given a mixed batch: 3 counted, 1 duplicate, 1 invalid, 1 late (after stream time passed W1's end + grace)
        send(order("e1", 1, "books", 100, "EUR", W1.plusSeconds(1)));
        send(order("e1", 1, "books", 100, "EUR", W1.plusSeconds(1)));
        send(with(order("e2", 2, "books", 100, "EUR", W1.plusSeconds(2)), o -> o.setCurrency("eu1")));
        send(order("e3", 3, "games", 100, "EUR", W3));
        send(order("e4", 4, "books", 100, "EUR", W1.plusSeconds(4)));
        send(order("e5", 1, "games", 100, "USD", W3.plusSeconds(1)));

        // When the partials are sent
        flush();

        // Then received = forwarded + dead-lettered + late + duplicate, each outcome exact
        String stage = topics.ordersEnriched().name();
        assertThat(accounting.count(stage, Outcome.RECEIVED)).isEqualTo(6);
        assertThat(accounting.count(stage, Outcome.FORWARDED)).isEqualTo(3);
        assertThat(accounting.count(stage, Outcome.DEAD_LETTERED)).isEqualTo(1);
        assertThat(accounting.count(stage, Outcome.LATE)).isEqualTo(1);
        assertThat(accounting.count(stage, Outcome.DUPLICATE)).isEqualTo(1);
        assertThat(accounting.count(stage, Outcome.RECEIVED)).isEqualTo(
                accounting.count(stage, Outcome.FORWARDED) + accounting.count(stage, Outcome.DEAD_LETTERED)
                        + accounting.count(stage, Outcome.LATE) + accounting.count(stage, Outcome.DUPLICATE));
        // And the final stage received each changed partial once, and the partition's progress: in tumbling windows
        // category (books W1, games W3), country (NL W1, W3), total (W1, W3) = 6 (a customer's windows are complete on
        // its partition and never cross; hopping windows of whole minutes are combined from the tumbling ones after the
        // repartition, so none of their partials cross either); 6 + 1 = 7
        assertThat(accounting.count(DELTAS_TOPIC, Outcome.RECEIVED)).isEqualTo(7);
        assertThat(accounting.count(DELTAS_TOPIC, Outcome.FORWARDED)).isEqualTo(7);
        assertThat(orderDeadLetters.getQueueSize()).isEqualTo(1);
        assertThat(lateOrders.getQueueSize()).isEqualTo(1);
    }

    @Test
    void shouldNameEveryProcessorStoreAndRepartitionTopic() {
        // When the topology is described
        String description = AggregationTopology.build(topics, AvroBinarySerde.factory(), new WindowSettings(SIZE, GRACE),
                StreamfoldProperties.Aggregates.defaults(), OrderRules.defaults(), RecordAccounting.inMemory("test"))
                .describe().toString();

        // Then every name is ours, and no generated names remain
        assertThat(description)
                .contains("orders-enriched-source", "validate-orders", "window-orders", "route-windowing-output-late-order",
                        "route-windowing-output-customer-lifetime", "route-windowing-output-partial", "unwrap-late-order",
                        "unwrap-partial-or-progress", "orders-late-sink", "aggregates-customer-lifetime-sink",
                        "window-partials-repartition", "merge-partials", "aggregates-category-sink",
                        "aggregates-total-hopping-final-sink", "aggregates-customer-final-sink",
                        "order-contributions", "partition-stream-time", "customer-lifetimes", "merged-windows",
                        "input-partition-progress")
                .doesNotContainPattern("KSTREAM-|KTABLE-");
    }

    /** The repartition topic, as another input partition's task writes into it. */
    private TestInputTopic<String, MergeInput> partials() {
        return driver.createInputTopic(AggregationTopology.partialsRepartitionTopic(APPLICATION_ID),
                Serdes.String().serializer(), new MergeInputSerde().serializer());
    }

    private static AggregateKey categoryWindow(String category, Instant start) {
        return new AggregateKey(Dimension.CATEGORY, WindowKind.TUMBLING, category, start.toEpochMilli());
    }

    /** A partial of {@code orders} orders worth {@code amount} each. */
    private static Partial partial(int orders, long amount, String currency) {
        Partial partial = new Partial();
        for (int i = 0; i < orders; i++) {
            partial.add(new OrderContribution(1, 100 + i, "books", "NL", currency, amount, 1, true));
        }
        return partial;
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

    private static EnrichedOrder with(EnrichedOrder order, UnaryOperator<EnrichedOrder.Builder> change) {
        return change.apply(EnrichedOrder.newBuilder(order)).build();
    }

    private static String text(Headers headers, String name) {
        return DeadLetterHeaders.text(headers, name);
    }
}
