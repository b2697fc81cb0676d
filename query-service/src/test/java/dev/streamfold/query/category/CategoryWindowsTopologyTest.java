package dev.streamfold.query.category;

import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Dimension;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.query.category.CategoryWindowsTopology.StoreSettings;
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
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CategoryWindowsTopologyTest {

    private static final Instant T10_00 = Instant.parse("2026-11-21T10:00:00Z");
    private static final Instant T10_01 = Instant.parse("2026-11-21T10:01:00Z");
    private static final Instant T10_02 = Instant.parse("2026-11-21T10:02:00Z");
    private static final Duration MINUTE = Duration.ofMinutes(1);

    private final Topics topics = new Topics(AvroBinarySerde.factory());
    private TopologyTestDriver driver;
    private TestInputTopic<WindowKey, WindowAggregate> aggregates;
    private WindowStore<String, WindowAggregate> store;

    @TempDir
    private Path stateDir;

    @BeforeEach
    void startDriver() {
        Properties config = new Properties();
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "category-windows-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(
                CategoryWindowsTopology.build(topics, new StoreSettings(MINUTE, Duration.ofDays(7)), RecordAccounting.inMemory("query-test")), config);
        Topic<WindowKey, WindowAggregate> topic = topics.aggregates(AggregateStream.live(Dimension.CATEGORY));
        aggregates = driver.createInputTopic(topic.name(), topic.keySerde().serializer(), topic.valueSerde().serializer());
        store = driver.getWindowStore(CategoryWindowsTopology.STORE);
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void shouldMakeAggregatesReadableByCategoryAndWindowStartRange() {
        // Given aggregates of two categories in three windows
        pipe(aggregate("books", T10_00, 2, Map.of("EUR", 3000L)));
        pipe(aggregate("books", T10_01, 1, Map.of("EUR", 1000L, "USD", 250L)));
        pipe(aggregate("games", T10_01, 5, Map.of("EUR", 9900L)));
        pipe(aggregate("books", T10_02, 4, Map.of("EUR", 800L)));

        // When the books windows starting from 10:00 up to 10:01 inclusive are read
        List<WindowAggregate> books = fetch("books", T10_00, T10_01);

        // Then exactly those two windows come back, oldest first, with their totals
        assertThat(books).extracting(WindowAggregate::getWindowStart).containsExactly(T10_00, T10_01);
        assertThat(books).extracting(WindowAggregate::getOrderCount).containsExactly(2L, 1L);
        assertThat(books.get(1).getRevenueMinor()).isEqualTo(Map.of("EUR", 1000L, "USD", 250L));
        assertThat(fetch("games", T10_00, T10_02)).extracting(WindowAggregate::getOrderCount).containsExactly(5L);
    }

    @Test
    void shouldReplaceAWindowWhenItsAggregateIsUpdated() {
        // Given a window's first total
        pipe(aggregate("books", T10_00, 1, Map.of("EUR", 1500L)));

        // When the same window's running total arrives
        pipe(aggregate("books", T10_00, 3, Map.of("EUR", 4500L)));

        // Then only the latest total is stored
        List<WindowAggregate> books = fetch("books", T10_00, T10_00);
        assertThat(books).hasSize(1);
        assertThat(books.getFirst().getOrderCount()).isEqualTo(3L);
        assertThat(books.getFirst().getRevenueMinor()).isEqualTo(Map.of("EUR", 4500L));
    }

    @Test
    void shouldRemoveAWindowOnATombstone() {
        // Given a stored window
        pipe(aggregate("books", T10_00, 1, Map.of("EUR", 1500L)));

        // When the compacted topic carries a tombstone for it
        aggregates.pipeInput(key("books", T10_00), null, T10_00.plus(MINUTE));

        // Then the window is gone
        assertThat(fetch("books", T10_00, T10_02)).isEmpty();
    }

    @Test
    void shouldNameTheSourceProcessorAndStore() {
        // When the topology is described
        String description = CategoryWindowsTopology.build(topics, new StoreSettings(MINUTE, Duration.ofDays(7)), RecordAccounting.inMemory("query-test"))
                .describe().toString();

        // Then every node and the store carry our names, not generated ones
        assertThat(description).contains("Source: category-aggregates-source",
                "Processor: materialize-category-windows", "category-windows");
        assertThat(description).doesNotContain("KSTREAM-");
    }

    /** The aggregation emits a window's total with the window's end as its timestamp. */
    private void pipe(WindowAggregate aggregate) {
        aggregates.pipeInput(key(aggregate.getDimensionValue(), aggregate.getWindowStart()), aggregate,
                aggregate.getWindowEnd());
    }

    private List<WindowAggregate> fetch(String category, Instant firstStart, Instant lastStart) {
        List<WindowAggregate> windows = new ArrayList<>();
        try (WindowStoreIterator<WindowAggregate> iterator = store.fetch(category, firstStart, lastStart)) {
            iterator.forEachRemaining(window -> windows.add(window.value));
        }
        return windows;
    }

    private static WindowKey key(String category, Instant windowStart) {
        return WindowKey.newBuilder().setDimensionValue(category).setWindowStart(windowStart).build();
    }

    private static WindowAggregate aggregate(String category, Instant windowStart, long orders, Map<String, Long> revenue) {
        return WindowAggregate.newBuilder()
                .setDimension("category")
                .setDimensionValue(category)
                .setWindowStart(windowStart)
                .setWindowEnd(windowStart.plus(MINUTE))
                .setOrderCount(orders)
                .setRevenueMinor(revenue)
                .build();
    }
}
