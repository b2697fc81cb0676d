package dev.streamfold.aggregation.window;

import static dev.streamfold.aggregation.window.EnrichedOrders.order;
import static dev.streamfold.aggregation.window.EnrichedOrders.window;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.config.StreamfoldProperties;
import dev.streamfold.common.tracing.RecordTracing;
import dev.streamfold.common.accounting.RecordAccounting.Outcome;
import dev.streamfold.common.order.OrderRules;
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
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Catch-up after an outage: two input partitions of {@code orders.enriched}, read by two tasks, progress through
 * event time at different speeds. TopologyTestDriver runs one task per sub-topology and reads every input as partition
 * 0, so each partition here gets a driver of its own (its own task, processor and stores, as Kafka Streams runs them);
 * what one partition's deltas do to the other's totals after the repartition is covered by
 * {@code CategoryAggregationTopologyTest#shouldAddTheDeltasOfAPartitionCatchingUpToWindowsAnotherPartitionHasLongPassed}.
 */
class PerPartitionLatenessTest {

    private static final Duration SIZE = Duration.ofMinutes(1);
    private static final Duration GRACE = Duration.ofMinutes(1);
    private static final Instant W1 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant W2 = W1.plus(SIZE);
    private static final Instant W3 = W2.plus(SIZE);
    private static final Instant NOW = W1.plus(Duration.ofHours(1));

    @TempDir
    Path stateDirA;
    @TempDir
    Path stateDirB;

    private final Topics topics = new Topics(AvroBinarySerde.factory());
    private final RecordAccounting accounting = RecordAccounting.inMemory("aggregation-service");
    private Partition a;
    private Partition b;

    @AfterEach
    void closeDrivers() {
        a.driver.close();
        b.driver.close();
    }

    @Test
    void shouldJudgeLatenessAgainstTheStreamTimeOfEachInputPartitionAlone() {
        // Given partition A, back from the outage first, five minutes of event time ahead of partition B
        a = new Partition(stateDirA);
        b = new Partition(stateDirB);
        a.send(order("a1", 1, "books", 100, "EUR", W1.plusSeconds(5)));
        a.send(order("a2", 1, "books", 100, "EUR", W1.plus(Duration.ofMinutes(5))));

        // When partition B's backlog of W1 and W2 is read only after that
        b.send(order("b1", 2, "books", 10, "EUR", W1.plusSeconds(10)));
        b.send(order("b2", 2, "books", 20, "EUR", W2.plusSeconds(10)));
        b.flush();

        // Then every order of B is counted: A's stream time has no say over B's windows
        assertThat(EnrichedOrders.figures(b.aggregates.readKeyValuesToMap())).containsExactlyInAnyOrderEntriesOf(Map.of(
                new WindowKey("books", W1), window("books", W1, W2, 1, Map.of("EUR", 10L)),
                new WindowKey("books", W2), window("books", W2, W3, 1, Map.of("EUR", 20L))));
        assertThat(b.late.isEmpty()).isTrue();
        // While on A itself, whose stream time is past W1's end + grace, a W1 order is late
        EnrichedOrder lateOnA = order("a3", 1, "books", 100, "EUR", W1.plusSeconds(30));
        a.send(lateOnA);
        assertThat(a.late.readRecordsToList()).extracting(TestRecord::value).containsExactly(lateOnA);
        assertThat(accounting.count(topics.ordersEnriched().name(), Outcome.LATE)).isEqualTo(1);
    }

    /** One input partition: one task, with its own stores. */
    private final class Partition {

        private final TopologyTestDriver driver;
        private final TestInputTopic<String, EnrichedOrder> orders;
        private final TestOutputTopic<WindowKey, WindowAggregate> aggregates;
        private final TestOutputTopic<String, EnrichedOrder> late;
        private Instant wallClock = NOW;

        Partition(Path stateDir) {
            driver = new TopologyTestDriver(
                    AggregationTopology.build(topics, AvroBinarySerde.factory(), new WindowSettings(SIZE, GRACE),
                            StreamfoldProperties.Aggregates.defaults(), OrderRules.defaults(), accounting),
                    StreamsDefaults.exactlyOnce("aggregation-test", "unused:9092", stateDir.toString(), (short) 1, accounting), NOW);
            Topic<String, EnrichedOrder> input = topics.ordersEnriched();
            orders = driver.createInputTopic(input.name(), input.keySerde().serializer(), input.valueSerde().serializer());
            aggregates = driver.createOutputTopic(topics.aggregates(AggregateStream.live(Dimension.CATEGORY)).name(),
                    topics.aggregates(AggregateStream.live(Dimension.CATEGORY)).keySerde().deserializer(), topics.aggregates(AggregateStream.live(Dimension.CATEGORY)).valueSerde().deserializer());
            late = driver.createOutputTopic(topics.ordersLate().name(), Serdes.String().deserializer(),
                    topics.ordersLate().valueSerde().deserializer());
        }

        void send(EnrichedOrder order) {
            orders.pipeInput(Long.toString(order.getCustomerId()), order, wallClock);
        }

        void flush() {
            driver.advanceWallClockTime(Duration.ofMillis(100));
            wallClock = wallClock.plusMillis(100);
        }
    }
}
