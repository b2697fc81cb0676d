package dev.streamfold.aggregation.category;

import static dev.streamfold.aggregation.category.EnrichedOrders.order;
import static dev.streamfold.aggregation.category.EnrichedOrders.window;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.common.streams.StreamsDefaults;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.schemas.EnrichedOrder;
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CategoryAggregationTopologyTest {

    private static final Duration SIZE = Duration.ofMinutes(1);
    private static final Duration GRACE = Duration.ofMinutes(1);
    /** Start of a window: minute-aligned. */
    private static final Instant W1 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant W2 = W1.plus(SIZE);
    private static final Instant W3 = W2.plus(SIZE);

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<String, EnrichedOrder> orders;
    private TestOutputTopic<WindowKey, WindowAggregate> aggregates;

    @BeforeEach
    void startDriver() {
        Topics topics = new Topics(AvroBinarySerde.factory());
        driver = new TopologyTestDriver(
                CategoryAggregationTopology.build(topics, AvroBinarySerde.factory(), new WindowSettings(SIZE, GRACE)),
                StreamsDefaults.exactlyOnce("aggregation-test", "unused:9092", stateDir.toString(), (short) 1));
        orders = driver.createInputTopic(topics.ordersEnriched().name(),
                topics.ordersEnriched().keySerde().serializer(), topics.ordersEnriched().valueSerde().serializer());
        aggregates = driver.createOutputTopic(topics.categoryAggregates().name(),
                topics.categoryAggregates().keySerde().deserializer(), topics.categoryAggregates().valueSerde().deserializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void shouldCountOrdersAndSumRevenuePerCategoryAndWindow() {
        // Given orders of two categories spread over two windows
        send("c1", order("e1", 1, "books", 1_000, "EUR", W1.plusSeconds(1)));
        send("c2", order("e2", 2, "games", 4_999, "EUR", W1.plusSeconds(20)));
        send("c1", order("e3", 1, "books", 250, "EUR", W1.plusSeconds(59)));
        send("c3", order("e4", 3, "books", 700, "EUR", W2));
        send("c2", order("e5", 2, "games", 1, "EUR", W2.plusSeconds(30)));

        // When the latest aggregate of every window is read
        Map<WindowKey, WindowAggregate> latest = aggregates.readKeyValuesToMap();

        // Then each category has exact counts and sums in the right windows, bounds [start, end)
        assertThat(latest).containsExactlyInAnyOrderEntriesOf(Map.of(
                new WindowKey("books", W1), window("books", W1, W2, 2, Map.of("EUR", 1_250L)),
                new WindowKey("games", W1), window("games", W1, W2, 1, Map.of("EUR", 4_999L)),
                new WindowKey("books", W2), window("books", W2, W3, 1, Map.of("EUR", 700L)),
                new WindowKey("games", W2), window("games", W2, W3, 1, Map.of("EUR", 1L))));
    }

    @Test
    void shouldCountARedeliveredEventOnce() {
        // Given an order and a re-delivery of the same event
        EnrichedOrder order = order("e1", 1, "books", 1_000, "EUR", W1.plusSeconds(5));
        send("c1", order);
        send("c1", order);

        // When the aggregates are read
        Map<WindowKey, WindowAggregate> latest = aggregates.readKeyValuesToMap();

        // Then the event counted once
        assertThat(latest).containsExactlyEntriesOf(Map.of(
                new WindowKey("books", W1), window("books", W1, W2, 1, Map.of("EUR", 1_000L))));
    }

    @Test
    void shouldIgnoreAnOrderArrivingAfterItsWindowsGracePeriod() {
        // Given a counted order, then stream time moving past W1's end + grace
        send("c1", order("e1", 1, "books", 100, "EUR", W1.plusSeconds(10)));
        send("c2", order("e2", 2, "books", 200, "EUR", W3));

        // When an order of W1 arrives after that
        send("c1", order("e3", 1, "books", 400, "EUR", W1.plusSeconds(30)));

        // Then W1 keeps only the order that was on time
        Map<WindowKey, WindowAggregate> latest = aggregates.readKeyValuesToMap();
        assertThat(latest.get(new WindowKey("books", W1))).isEqualTo(window("books", W1, W2, 1, Map.of("EUR", 100L)));
    }

    @Test
    void shouldStillCountAnOrderThatIsLateButWithinGrace() {
        // Given stream time already in the next window, but less than the grace period after W1's end
        send("c2", order("e1", 2, "books", 200, "EUR", W2.plusSeconds(30)));

        // When an order of W1 arrives
        send("c1", order("e2", 1, "books", 400, "EUR", W1.plusSeconds(30)));

        // Then it is counted in W1
        assertThat(aggregates.readKeyValuesToMap().get(new WindowKey("books", W1)))
                .isEqualTo(window("books", W1, W2, 1, Map.of("EUR", 400L)));
    }

    @Test
    void shouldKeepRevenueInDifferentCurrenciesApart() {
        // Given orders of one category and window in two currencies
        send("c1", order("e1", 1, "books", 1_000, "EUR", W1.plusSeconds(1)));
        send("c2", order("e2", 2, "books", 300, "USD", W1.plusSeconds(2)));
        send("c3", order("e3", 3, "books", 50, "EUR", W1.plusSeconds(3)));

        // When the aggregate is read
        WindowAggregate books = aggregates.readKeyValuesToMap().get(new WindowKey("books", W1));

        // Then one order count, and one revenue sum per currency
        assertThat(books).isEqualTo(window("books", W1, W2, 3, Map.of("EUR", 1_050L, "USD", 300L)));
    }

    @Test
    void shouldWindowByTheOrdersEventTimeNotTheRecordTimestamp() {
        // Given an order of W1 carried by a record stamped in W3
        EnrichedOrder order = order("e1", 1, "books", 100, "EUR", W1.plusSeconds(10));
        orders.pipeInput("c1", order, W3.plusSeconds(10));

        // When the aggregates are read
        Map<WindowKey, WindowAggregate> latest = aggregates.readKeyValuesToMap();

        // Then the order counts in W1
        assertThat(latest).containsOnlyKeys(new WindowKey("books", W1));
    }

    @Test
    void shouldNameEveryStoreAndRepartitionTopic() {
        // When the topology is described
        String description = CategoryAggregationTopology.build(new Topics(AvroBinarySerde.factory()), AvroBinarySerde.factory(),
                new WindowSettings(SIZE, GRACE)).describe().toString();

        // Then no generated names remain
        assertThat(description)
                .contains("seen-event-ids", "category-windows", "orders-by-category-repartition", "deduplicate-events")
                .doesNotContainPattern("KSTREAM-|KTABLE-");
    }

    /** The record timestamp matches the event time, as the enrichment service produces it. */
    private void send(String customerKey, EnrichedOrder order) {
        orders.pipeInput(customerKey, order, order.getEventTime());
    }
}
