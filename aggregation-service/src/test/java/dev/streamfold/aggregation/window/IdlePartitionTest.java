package dev.streamfold.aggregation.window;

import static dev.streamfold.aggregation.window.EnrichedOrders.order;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.aggregate.WindowKind;
import dev.streamfold.common.config.StreamfoldProperties;
import dev.streamfold.common.order.OrderRules;
import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.common.streams.StreamsDefaults;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.common.tracing.RecordTracing;
import dev.streamfold.schemas.EnrichedOrder;
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code aggregation.idle-partition-timeout} set: a partition without orders for that long stops holding final
 * results back, and its later orders amend them. The driver's input partition is partition 0; partitions 1 to 3 are
 * piped into the repartition topic as progress records.
 */
class IdlePartitionTest {

    private static final Duration SIZE = Duration.ofMinutes(1);
    private static final Duration GRACE = Duration.ofMinutes(1);
    private static final Duration FLUSH = Duration.ofMillis(100);
    private static final Duration IDLE_TIMEOUT = Duration.ofMinutes(2);
    private static final Instant W1 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant PAST_W1 = W1.plus(SIZE).plus(GRACE).plusSeconds(1);

    @TempDir
    Path stateDir;

    private final Topics topics = new Topics(AvroBinarySerde.factory());
    private final RecordAccounting accounting = RecordAccounting.inMemory("aggregation-service");
    private TopologyTestDriver driver;
    private Instant wallClock = W1.plus(Duration.ofMinutes(3));
    private TestInputTopic<String, EnrichedOrder> orders;
    private TestOutputTopic<WindowKey, WindowAggregate> finals;

    @BeforeEach
    void startDriver() {
        driver = new TopologyTestDriver(AggregationTopology.build(topics, AvroBinarySerde.factory(), new WindowSettings(SIZE,
                        GRACE), StreamfoldProperties.Aggregates.defaults(), OrderRules.defaults(), accounting,
                        new FlushSettings(FLUSH, FLUSH, IDLE_TIMEOUT), RecordTracing.off()),
                StreamsDefaults.exactlyOnce("aggregation-idle-test", "unused:9092", stateDir.toString(), (short) 1,
                        accounting), wallClock);
        Topic<String, EnrichedOrder> input = topics.ordersEnriched();
        orders = driver.createInputTopic(input.name(), input.keySerde().serializer(), input.valueSerde().serializer());
        Topic<WindowKey, WindowAggregate> output = topics.aggregates(AggregateStream.finalResults(Dimension.CATEGORY));
        finals = driver.createOutputTopic(output.name(), output.keySerde().deserializer(), output.valueSerde().deserializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void shouldStopHoldingFinalsBackOnceAPartitionHadNoOrdersForTheIdleTimeout() {
        // Given an order in W1 on partition 0, whose stream time stays in W1, and partitions 1-3 past W1's close
        orders.pipeInput("1", order("e1", 1, "books", 100, "EUR", W1.plusSeconds(10)), wallClock);
        advance(FLUSH);
        for (int partition = 1; partition <= 3; partition++) {
            progress(new Progress(partition, PAST_W1.toEpochMilli()));
        }
        assertThat(finals.isEmpty()).isTrue();

        // When partition 0 has no order for less than the idle timeout, Then W1 is still held back
        advance(IDLE_TIMEOUT.minusSeconds(1));
        assertThat(finals.isEmpty()).isTrue();

        // When the idle timeout has passed, Then partition 0 no longer holds W1 back: final, with its order
        advance(Duration.ofSeconds(1));
        List<TestRecord<WindowKey, WindowAggregate>> published = finals.readRecordsToList();
        assertThat(published).extracting(TestRecord::key).containsExactly(new WindowKey("books", W1));
        assertThat(published.getFirst().value().getOrderCount()).isEqualTo(1);
    }

    @Test
    void shouldAmendAFinalWhenAnIdlePartitionSendsAPartialOfItAgain() {
        // Given partition 3 idle behind W1, and partitions 0-2 past W1's close: W1 is final with partition 0's order
        orders.pipeInput("1", order("e1", 1, "books", 100, "EUR", W1.plusSeconds(10)), wallClock);
        orders.pipeInput("2", order("e2", 2, "games", 100, "EUR", PAST_W1), wallClock);
        advance(FLUSH);
        progress(new Progress(1, PAST_W1.toEpochMilli()));
        progress(new Progress(2, PAST_W1.toEpochMilli()));
        progress(new Progress(3, W1.toEpochMilli(), true));
        assertThat(finals.readRecordsToList()).extracting(TestRecord::key).containsExactly(new WindowKey("books", W1));

        // When partition 3 has orders again, behind W1's close, and sends its partial of W1
        progress(new Progress(3, W1.plusSeconds(30).toEpochMilli(), false));
        AggregateKey w1 = new AggregateKey(Dimension.CATEGORY, WindowKind.TUMBLING, "books", W1.toEpochMilli());
        PartialUpdate late = new PartialUpdate(w1, 3, partialOf(order("e3", 3, "books", 250, "EUR", W1.plusSeconds(30))));
        driver.createInputTopic(AggregationTopology.partialsRepartitionTopic("aggregation-idle-test"),
                Serdes.String().serializer(), new MergeInputSerde().serializer()).pipeInput(late.key().routingKey(), late,
                wallClock);

        // Then W1's final is published again, amended, with both orders
        TestRecord<WindowKey, WindowAggregate> amended = finals.readRecord();
        assertThat(amended.value().getOrderCount()).isEqualTo(2);
        assertThat(amended.headers().lastHeader(Emitted.AMENDED_HEADER)).isNotNull();
    }

    private static Partial partialOf(EnrichedOrder order) {
        Partial partial = new Partial();
        partial.add(OrderContribution.of(order));
        return partial;
    }

    private void progress(Progress progress) {
        driver.createInputTopic(AggregationTopology.partialsRepartitionTopic("aggregation-idle-test"),
                Serdes.String().serializer(), new MergeInputSerde().serializer()).pipeInput(WindowOrders.PROGRESS_KEY,
                progress, wallClock);
    }

    private void advance(Duration duration) {
        driver.advanceWallClockTime(duration);
        wallClock = wallClock.plus(duration);
    }
}
