package dev.streamfold.aggregation.window;

import static dev.streamfold.aggregation.window.EnrichedOrders.order;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Dimension;
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
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Partials of open windows are sent less often while a partition works through a backlog, never later than a close. */
class CatchUpFlushTest {

    private static final Duration SIZE = Duration.ofMinutes(1);
    private static final Duration GRACE = Duration.ofMinutes(1);
    private static final Duration FLUSH = Duration.ofMillis(100);
    private static final Duration CATCH_UP_FLUSH = Duration.ofSeconds(1);
    private static final Instant W1 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant W2 = W1.plus(SIZE);

    @TempDir
    Path stateDir;

    private final Topics topics = new Topics(AvroBinarySerde.factory());
    private final RecordAccounting accounting = RecordAccounting.inMemory("aggregation-service");
    private TopologyTestDriver driver;
    private Instant wallClock;
    private TestInputTopic<String, EnrichedOrder> orders;
    private TestOutputTopic<WindowKey, WindowAggregate> live;

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void shouldSendAnOpenWindowOfABacklogOnlyEveryCatchUpInterval() {
        // Given a partition a day behind the wall clock, with an order in W1 (open at its stream time)
        start(W1.plus(Duration.ofDays(1)));
        send(order("e1", 1, "books", 100, "EUR", W1.plusSeconds(10)));

        // When a flush interval passes, Then W1's partial has not been sent
        advance(FLUSH);
        assertThat(live.isEmpty()).isTrue();

        // When the catch-up interval has passed, Then it has, once
        advance(CATCH_UP_FLUSH);
        assertThat(live.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly(new WindowKey("books", W1));
    }

    @Test
    void shouldSendAWindowOfABacklogAsItClosesWithoutWaitingForTheCatchUpInterval() {
        // Given a partition a day behind the wall clock, with an order in W1
        start(W1.plus(Duration.ofDays(1)));
        send(order("e1", 1, "books", 100, "EUR", W1.plusSeconds(10)));

        // When an order moves its stream time past W1's end + grace, with no flush in between
        send(order("e2", 2, "games", 200, "EUR", W2.plus(GRACE).plusSeconds(1)));

        // Then W1's partial went out at once, with its order
        assertThat(live.readKeyValuesToMap().get(new WindowKey("books", W1)).getOrderCount()).isEqualTo(1);
    }

    @Test
    void shouldSendOpenWindowsEveryFlushIntervalWhenLive() {
        // Given a partition whose stream time is the wall clock's, with an order in the current window
        start(W1.plusSeconds(20));
        send(order("e1", 1, "books", 100, "EUR", W1.plusSeconds(10)));

        // When a flush interval passes, Then the window's partial has been sent
        advance(FLUSH);
        assertThat(live.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly(new WindowKey("books", W1));
    }

    private void start(Instant now) {
        wallClock = now;
        driver = new TopologyTestDriver(AggregationTopology.build(topics, AvroBinarySerde.factory(), new WindowSettings(SIZE,
                        GRACE), StreamfoldProperties.Aggregates.defaults(), OrderRules.defaults(), accounting,
                        new FlushSettings(FLUSH, CATCH_UP_FLUSH, FlushSettings.NEVER_IDLE), RecordTracing.off()),
                StreamsDefaults.exactlyOnce("aggregation-catch-up-test", "unused:9092", stateDir.toString(), (short) 1,
                        accounting), now);
        Topic<String, EnrichedOrder> input = topics.ordersEnriched();
        orders = driver.createInputTopic(input.name(), input.keySerde().serializer(), input.valueSerde().serializer());
        Topic<WindowKey, WindowAggregate> output = topics.aggregates(AggregateStream.live(Dimension.CATEGORY));
        live = driver.createOutputTopic(output.name(), output.keySerde().deserializer(), output.valueSerde().deserializer());
    }

    private void send(EnrichedOrder order) {
        orders.pipeInput(Long.toString(order.getCustomerId()), order, wallClock);
    }

    private void advance(Duration duration) {
        driver.advanceWallClockTime(duration);
        wallClock = wallClock.plus(duration);
    }
}
