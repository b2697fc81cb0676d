package dev.streamfold.query.aggregates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.aggregate.WindowSpec;
import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.schemas.CustomerLifetime;
import dev.streamfold.schemas.DistinctEstimate;
import dev.streamfold.schemas.ValueQuantiles;
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AggregatesTopologyTest {

    private static final Instant T10_00 = Instant.parse("2026-11-21T10:00:00Z");
    private static final Instant T10_01 = Instant.parse("2026-11-21T10:01:00Z");
    private static final Instant T10_02 = Instant.parse("2026-11-21T10:02:00Z");
    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final Duration FIVE_MINUTES = Duration.ofMinutes(5);
    private static final AggregateStream CATEGORY = AggregateStream.live(Dimension.CATEGORY);
    private static final AggregateStream TOTAL = AggregateStream.live(Dimension.TOTAL);
    private static final AggregateStream TOTAL_HOPPING = ServedAggregates.liveHopping(Dimension.TOTAL);
    /** Category and total in one-minute windows, total also in five-minute windows advancing by one; lifetimes on. */
    private static final ServedAggregates SERVED = served(true);

    private final Topics topics = new Topics(AvroBinarySerde.factory());
    private TopologyTestDriver driver;

    @TempDir
    private Path stateDir;

    @BeforeEach
    void startDriver() {
        Properties config = new Properties();
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "aggregates-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(AggregatesTopology.build(topics, SERVED, Duration.ofDays(7),
                RecordAccounting.inMemory("query-test")), config);
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void shouldMakeEachDimensionsAggregatesReadableByValueAndWindowStartRangeInItsOwnStore() {
        // Given aggregates of two categories in three windows, and the totals of two windows
        pipe(CATEGORY, aggregate(CATEGORY, "books", T10_00, MINUTE, 2, Map.of("EUR", 3000L)));
        pipe(CATEGORY, aggregate(CATEGORY, "books", T10_01, MINUTE, 1, Map.of("EUR", 1000L, "USD", 250L)));
        pipe(CATEGORY, aggregate(CATEGORY, "games", T10_01, MINUTE, 5, Map.of("EUR", 9900L)));
        pipe(CATEGORY, aggregate(CATEGORY, "books", T10_02, MINUTE, 4, Map.of("EUR", 800L)));
        pipe(TOTAL, aggregate(TOTAL, Dimension.TOTAL_VALUE, T10_00, MINUTE, 2, Map.of("EUR", 3000L)));
        pipe(TOTAL, aggregate(TOTAL, Dimension.TOTAL_VALUE, T10_01, MINUTE, 6, Map.of("EUR", 10900L, "USD", 250L)));

        // When the books windows and the totals starting from 10:00 up to 10:01 inclusive are read
        List<WindowAggregate> books = fetch(CATEGORY, "books", T10_00, T10_01);
        List<WindowAggregate> totals = fetch(TOTAL, Dimension.TOTAL_VALUE, T10_00, T10_01);

        // Then exactly those windows come back, oldest first, with all their figures, each from its dimension's store
        assertThat(books).extracting(WindowAggregate::getWindowStart).containsExactly(T10_00, T10_01);
        assertThat(books).extracting(WindowAggregate::getOrderCount).containsExactly(2L, 1L);
        assertThat(books.get(1)).isEqualTo(aggregate(CATEGORY, "books", T10_01, MINUTE, 1, Map.of("EUR", 1000L, "USD", 250L)));
        assertThat(fetch(CATEGORY, "games", T10_00, T10_02)).extracting(WindowAggregate::getOrderCount).containsExactly(5L);
        assertThat(totals).extracting(WindowAggregate::getOrderCount).containsExactly(2L, 6L);
        assertThat(fetch(CATEGORY, Dimension.TOTAL_VALUE, T10_00, T10_02)).isEmpty();
        assertThat(fetch(TOTAL, "books", T10_00, T10_02)).isEmpty();
    }

    @Test
    void shouldKeepHoppingWindowsInAStoreOfTheirOwn() {
        // Given a one-minute total and a five-minute hopping total starting at the same instant
        pipe(TOTAL, aggregate(TOTAL, Dimension.TOTAL_VALUE, T10_00, MINUTE, 1, Map.of("EUR", 100L)));
        pipe(TOTAL_HOPPING, aggregate(TOTAL_HOPPING, Dimension.TOTAL_VALUE, T10_00, FIVE_MINUTES, 7, Map.of("EUR", 700L)));

        // When both stores are read for that window start
        List<WindowAggregate> tumbling = fetch(TOTAL, Dimension.TOTAL_VALUE, T10_00, T10_00);
        List<WindowAggregate> hopping = fetch(TOTAL_HOPPING, Dimension.TOTAL_VALUE, T10_00, T10_00);

        // Then neither replaced the other: each store holds its own window
        assertThat(tumbling).extracting(WindowAggregate::getOrderCount).containsExactly(1L);
        assertThat(tumbling.getFirst().getWindowEnd()).isEqualTo(T10_01);
        assertThat(hopping).extracting(WindowAggregate::getOrderCount).containsExactly(7L);
        assertThat(hopping.getFirst().getWindowEnd()).isEqualTo(T10_00.plus(FIVE_MINUTES));
    }

    @Test
    void shouldReplaceAWindowWhenItsAggregateIsUpdated() {
        // Given a window's first figures
        pipe(CATEGORY, aggregate(CATEGORY, "books", T10_00, MINUTE, 1, Map.of("EUR", 1500L)));

        // When the same window's running figures arrive
        pipe(CATEGORY, aggregate(CATEGORY, "books", T10_00, MINUTE, 3, Map.of("EUR", 4500L)));

        // Then only the latest figures are stored
        List<WindowAggregate> books = fetch(CATEGORY, "books", T10_00, T10_00);
        assertThat(books).hasSize(1);
        assertThat(books.getFirst().getOrderCount()).isEqualTo(3L);
        assertThat(books.getFirst().getRevenueMinor()).isEqualTo(Map.of("EUR", 4500L));
    }

    @Test
    void shouldRemoveAWindowOnATombstone() {
        // Given a stored window
        pipe(CATEGORY, aggregate(CATEGORY, "books", T10_00, MINUTE, 1, Map.of("EUR", 1500L)));

        // When the compacted topic carries a tombstone for it
        input(CATEGORY).pipeInput(key("books", T10_00), null, T10_01);

        // Then the window is gone
        assertThat(fetch(CATEGORY, "books", T10_00, T10_02)).isEmpty();
    }

    @Test
    void shouldKeepTheLatestLifetimeOfEachCustomerAndForgetItOnATombstone() {
        // Given two customers' lifetimes, the first one updated
        TestInputTopic<String, CustomerLifetime> lifetimes = lifetimes();
        lifetimes.pipeInput("7", lifetime("7", 1, Map.of("EUR", 1500L)), T10_00);
        lifetimes.pipeInput("8", lifetime("8", 2, Map.of("USD", 200L)), T10_00);
        lifetimes.pipeInput("7", lifetime("7", 3, Map.of("EUR", 4500L)), T10_01);

        // When the second one is deleted
        lifetimes.pipeInput("8", null, T10_02);

        // Then the store holds the first one's latest totals only
        KeyValueStore<String, CustomerLifetime> store = driver.getKeyValueStore(AggregatesTopology.LIFETIME_STORE);
        assertThat(store.get("7")).isEqualTo(lifetime("7", 3, Map.of("EUR", 4500L)));
        assertThat(store.get("8")).isNull();
    }

    @Test
    void shouldRefuseALifetimeKeyedByAnotherCustomer() {
        // When customer 7's lifetime arrives under customer 8's key
        // Then processing fails (in the service: the record is dead-lettered) and nothing is stored
        assertThatThrownBy(() -> lifetimes().pipeInput("8", lifetime("7", 1, Map.of("EUR", 1L)), T10_00))
                .hasStackTraceContaining("lifetime of customer 7 is keyed by 8");
        assertThat(driver.<String, CustomerLifetime>getKeyValueStore(AggregatesTopology.LIFETIME_STORE).get("8")).isNull();
    }

    @Test
    void shouldReadOnlyTheTopicsOfTheServedAggregatesAndNameEveryNodeAndStore() {
        // When the topology is described
        String description = AggregatesTopology.build(topics, SERVED, Duration.ofDays(7),
                RecordAccounting.inMemory("query-test")).describe().toString();

        // Then it reads the served topics only, and every node and store carries our names, not generated ones
        assertThat(description).contains(
                "Source: category-aggregates-source (topics: [aggregates.category])",
                "Processor: materialize-category-windows (stores: [category-windows])",
                "Source: total-aggregates-source (topics: [aggregates.total])",
                "Processor: materialize-total-windows (stores: [total-windows])",
                "Source: total-hopping-aggregates-source (topics: [aggregates.total.hopping])",
                "Processor: materialize-total-hopping-windows (stores: [total-hopping-windows])",
                "Source: customer-lifetimes-source (topics: [aggregates.customer.lifetime])",
                "Processor: materialize-customer-lifetimes (stores: [customer-lifetimes])");
        assertThat(description).doesNotContain("KSTREAM-", "aggregates.country", "aggregates.customer]",
                "aggregates.category.hopping", ".final");
    }

    @Test
    void shouldNotReadCustomerLifetimesWhenTheyAreNotAggregated() {
        // When customer lifetimes are off
        String description = AggregatesTopology.build(topics, served(false), Duration.ofDays(7),
                RecordAccounting.inMemory("query-test")).describe().toString();

        // Then the topology has no lifetime source or store
        assertThat(description).doesNotContain("aggregates.customer.lifetime", "customer-lifetimes");
    }

    private static ServedAggregates served(boolean customerLifetime) {
        return new ServedAggregates(List.of(Dimension.CATEGORY, Dimension.TOTAL), List.of(Dimension.TOTAL),
                customerLifetime, WindowSpec.tumbling(MINUTE), WindowSpec.hopping(FIVE_MINUTES, MINUTE), MINUTE);
    }

    private TestInputTopic<WindowKey, WindowAggregate> input(AggregateStream stream) {
        Topic<WindowKey, WindowAggregate> topic = topics.aggregates(stream);
        return driver.createInputTopic(topic.name(), topic.keySerde().serializer(), topic.valueSerde().serializer());
    }

    private TestInputTopic<String, CustomerLifetime> lifetimes() {
        Topic<String, CustomerLifetime> topic = topics.customerLifetimes();
        return driver.createInputTopic(topic.name(), topic.keySerde().serializer(), topic.valueSerde().serializer());
    }

    /** The aggregation emits a window's figures with the window's end as its timestamp. */
    private void pipe(AggregateStream stream, WindowAggregate aggregate) {
        input(stream).pipeInput(key(aggregate.getDimensionValue(), aggregate.getWindowStart()), aggregate,
                aggregate.getWindowEnd());
    }

    private List<WindowAggregate> fetch(AggregateStream stream, String value, Instant firstStart, Instant lastStart) {
        WindowStore<String, WindowAggregate> store = driver.getWindowStore(AggregatesTopology.storeName(stream));
        List<WindowAggregate> windows = new ArrayList<>();
        try (WindowStoreIterator<WindowAggregate> iterator = store.fetch(value, firstStart, lastStart)) {
            iterator.forEachRemaining(window -> windows.add(window.value));
        }
        return windows;
    }

    private static WindowKey key(String value, Instant windowStart) {
        return WindowKey.newBuilder().setDimensionValue(value).setWindowStart(windowStart).build();
    }

    private static WindowAggregate aggregate(AggregateStream stream, String value, Instant windowStart, Duration size,
            long orders, Map<String, Long> revenue) {
        return WindowAggregate.newBuilder()
                .setDimension(stream.dimension().id())
                .setDimensionValue(value)
                .setWindowStart(windowStart)
                .setWindowEnd(windowStart.plus(size))
                .setOrderCount(orders)
                .setRevenueMinor(revenue)
                .setQuantity(orders * 2)
                .setMinOrderMinor(revenue)
                .setMaxOrderMinor(revenue)
                .setDistinctCustomers(DistinctEstimate.newBuilder().setEstimate(orders).setLowerBound(orders)
                        .setUpperBound(orders).build())
                .setOrderValueQuantiles(Map.of("EUR", ValueQuantiles.newBuilder().setP50(10).setP95(20).setP99(30)
                        .setRankError(0.0133).setOrderCount(orders).build()))
                .build();
    }

    private static CustomerLifetime lifetime(String customerId, long orders, Map<String, Long> revenue) {
        return CustomerLifetime.newBuilder()
                .setCustomerId(customerId)
                .setOrderCount(orders)
                .setQuantity(orders)
                .setRevenueMinor(revenue)
                .setFirstOrderAt(T10_00)
                .setLastOrderAt(T10_00.plus(MINUTE.multipliedBy(orders)))
                .build();
    }
}
