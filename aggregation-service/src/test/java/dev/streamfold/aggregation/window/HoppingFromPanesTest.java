package dev.streamfold.aggregation.window;

import static dev.streamfold.aggregation.window.EnrichedOrders.changed;
import static dev.streamfold.aggregation.window.EnrichedOrders.databaseOrder;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.aggregate.Emission;
import dev.streamfold.common.aggregate.WindowKind;
import dev.streamfold.common.config.StreamfoldProperties;
import dev.streamfold.common.order.OrderRules;
import dev.streamfold.common.order.RevenueRule;
import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.common.streams.StreamsDefaults;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.common.tracing.RecordTracing;
import dev.streamfold.schemas.EnrichedOrder;
import dev.streamfold.schemas.OrderOperation;
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hopping windows combined by the final stage from the tumbling windows they are made of (panes) against hopping
 * windows kept whole on the input partitions, over the same shop's orders (TopologyTestDriver: one input partition,
 * the other three partitions' progress piped into the repartition topic).
 */
class HoppingFromPanesTest {

    private static final String APPLICATION_ID = "aggregation-hopping-panes-test";
    private static final Duration GRACE = Duration.ofMinutes(1);
    private static final Duration FLUSH = Duration.ofSeconds(1);
    private static final Duration HOPPING_SIZE = Duration.ofMinutes(5);
    private static final Instant W0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant START = W0.plus(Duration.ofHours(1));
    private static final Instant LAST_ORDER = W0.plus(Duration.ofMinutes(30));
    private static final List<String> CATEGORIES = List.of("books", "games", "toys");
    private static final List<String> CURRENCIES = List.of("EUR", "USD");

    @TempDir
    Path stateDir;

    private final Topics topics = new Topics(AvroBinarySerde.factory());

    @Test
    void shouldGiveHoppingWindowsCombinedFromTumblingPanesTheFiguresOfWholeWindows() throws Exception {
        // Given ten minutes of a shop's orders: three categories, two currencies, out of order by up to 15 s,
        // re-delivered, amounts changed and orders cancelled a little later; then one order at W0 + 30 min
        List<EnrichedOrder> events = shop(new Random(20261202));

        // When they go through a topology whose 1-minute tumbling windows are panes of the 5-minute hopping windows,
        // and through one whose 40-second tumbling windows are not (its partitions keep each hopping window whole),
        // and every input partition then reports progress past the first windows
        assertThat(new WindowSettings(Duration.ofMinutes(1), GRACE).hoppingFromPanes()).isTrue();
        assertThat(new WindowSettings(Duration.ofSeconds(40), GRACE).hoppingFromPanes()).isFalse();
        Outputs panes = run(Duration.ofMinutes(1), events, "panes");
        Outputs whole = run(Duration.ofSeconds(40), events, "whole");

        // Then every hopping window of the total and of each category has the same figures, live and final
        assertThat(panes.live()).isNotEmpty().isEqualTo(whole.live());
        assertThat(panes.finals()).isNotEmpty().isEqualTo(whole.finals());
        // And they are the orders' own: count and revenue per currency of the orders that count now, per window
        Map<String, EnrichedOrder> latest = latestStateOfEachOrder(events);
        panes.finals().forEach((key, window) -> {
            assertThat(window.getFinalResult()).isTrue();
            assertThat(window.getOrderCount()).as(key.toString()).isEqualTo(ledgerCount(latest, key));
            assertThat(window.getRevenueMinor()).as(key.toString()).isEqualTo(ledgerRevenue(latest, key));
        });
        // And each hopping window closed by the progress got exactly one final result
        assertThat(panes.finalsPublished()).isEqualTo(panes.finals().size());
        assertThat(panes.finals().keySet()).anySatisfy(key -> assertThat(key).startsWith("total|"));
    }

    /** The latest figures per hopping window ({@code dimension|value|start}), and how many finals were published. */
    record Outputs(Map<String, WindowAggregate> live, Map<String, WindowAggregate> finals, int finalsPublished) {
    }

    private Outputs run(Duration tumblingSize, List<EnrichedOrder> events, String name) throws Exception {
        Path dir = Files.createDirectories(stateDir.resolve(name));
        RecordAccounting accounting = RecordAccounting.inMemory("aggregation-service");
        try (TopologyTestDriver driver = new TopologyTestDriver(
                AggregationTopology.build(topics, AvroBinarySerde.factory(), new WindowSettings(tumblingSize, GRACE),
                        StreamfoldProperties.Aggregates.defaults(), OrderRules.defaults(), accounting, FLUSH,
                        RecordTracing.off()),
                StreamsDefaults.exactlyOnce(APPLICATION_ID, "unused:9092", dir.toString(), (short) 1, accounting), START)) {
            Topic<String, EnrichedOrder> input = topics.ordersEnriched();
            TestInputTopic<String, EnrichedOrder> orders = driver.createInputTopic(input.name(),
                    input.keySerde().serializer(), input.valueSerde().serializer());
            Instant wallClock = START;
            for (int i = 0; i < events.size(); i++) {
                EnrichedOrder order = events.get(i);
                orders.pipeInput(new TestRecord<>(Long.toString(order.getCustomerId()), order, null, wallClock));
                if (i % 20 == 19) {
                    driver.advanceWallClockTime(FLUSH);
                    wallClock = wallClock.plus(FLUSH);
                }
            }
            driver.advanceWallClockTime(FLUSH);
            wallClock = wallClock.plus(FLUSH);
            TestInputTopic<String, MergeInput> repartition = driver.createInputTopic(
                    AggregationTopology.partialsRepartitionTopic(APPLICATION_ID), Serdes.String().serializer(),
                    new MergeInputSerde().serializer());
            for (int partition = 1; partition < 4; partition++) {
                repartition.pipeInput(WindowOrders.PROGRESS_KEY, new Progress(partition, LAST_ORDER.toEpochMilli()), wallClock);
            }
            // The open windows' live figures: published once per interval in which they changed.
            driver.advanceWallClockTime(FLUSH);
            Map<String, WindowAggregate> live = new TreeMap<>();
            Map<String, WindowAggregate> finals = new TreeMap<>();
            int finalsPublished = 0;
            for (Dimension dimension : List.of(Dimension.TOTAL, Dimension.CATEGORY)) {
                live.putAll(keyed(dimension, output(driver, new AggregateStream(dimension, WindowKind.HOPPING, Emission.LIVE))
                        .readKeyValuesToMap()));
                List<org.apache.kafka.streams.KeyValue<WindowKey, WindowAggregate>> published = output(driver,
                        new AggregateStream(dimension, WindowKind.HOPPING, Emission.FINAL)).readKeyValuesToList();
                finalsPublished += published.size();
                Map<WindowKey, WindowAggregate> byKey = new LinkedHashMap<>();
                published.forEach(record -> byKey.put(record.key, record.value));
                finals.putAll(keyed(dimension, byKey));
            }
            return new Outputs(live, finals, finalsPublished);
        }
    }

    private TestOutputTopic<WindowKey, WindowAggregate> output(TopologyTestDriver driver, AggregateStream stream) {
        Topic<WindowKey, WindowAggregate> topic = topics.aggregates(stream);
        return driver.createOutputTopic(topic.name(), topic.keySerde().deserializer(), topic.valueSerde().deserializer());
    }

    private static Map<String, WindowAggregate> keyed(Dimension dimension, Map<WindowKey, WindowAggregate> windows) {
        Map<String, WindowAggregate> keyed = new HashMap<>();
        windows.forEach((key, value) -> keyed.put(dimension.id() + "|" + key.getDimensionValue() + "|"
                + key.getWindowStart().toEpochMilli(), value));
        return keyed;
    }

    /**
     * 400 orders over ten minutes, about 1.5 s apart, each up to 15 s off its place; every tenth event re-delivers the
     * one before it, every fifteenth changes the amount of an order placed a few events earlier, every twenty-fifth
     * cancels one.
     */
    private static List<EnrichedOrder> shop(Random random) {
        List<EnrichedOrder> events = new ArrayList<>();
        List<EnrichedOrder> placed = new ArrayList<>();
        Map<Long, EnrichedOrder> current = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            Instant eventTime = W0.plusMillis(i * 1_500L + random.nextInt(30_000) - 15_000);
            EnrichedOrder order = databaseOrder(1_000 + i, 1, 1 + random.nextInt(60),
                    CATEGORIES.get(random.nextInt(CATEGORIES.size())), 100 + random.nextInt(10_000),
                    CURRENCIES.get(random.nextInt(CURRENCIES.size())), eventTime.isBefore(W0) ? W0 : eventTime);
            events.add(order);
            placed.add(order);
            current.put(order.getOrderId(), order);
            if (i % 10 == 9) {
                events.add(events.get(events.size() - 1));
            }
            if (i % 15 == 14) {
                EnrichedOrder earlier = current.get(placed.get(placed.size() - 4).getOrderId());
                EnrichedOrder amended = changed(earlier, earlier.getVersion() + 1, OrderOperation.UPDATE,
                        o -> o.setAmountMinor(earlier.getAmountMinor() + 250));
                events.add(amended);
                current.put(amended.getOrderId(), amended);
            }
            if (i % 25 == 24) {
                EnrichedOrder earlier = current.get(placed.get(placed.size() - 6).getOrderId());
                EnrichedOrder cancelled = changed(earlier, earlier.getVersion() + 1, OrderOperation.UPDATE,
                        o -> o.setStatus("CANCELLED"));
                events.add(cancelled);
                current.put(cancelled.getOrderId(), cancelled);
            }
        }
        events.add(databaseOrder(9_999, 1, 1, "books", 100, "EUR", LAST_ORDER));
        return events;
    }

    private static Map<String, EnrichedOrder> latestStateOfEachOrder(List<EnrichedOrder> events) {
        Map<String, EnrichedOrder> latest = new HashMap<>();
        events.forEach(event -> latest.merge(Long.toString(event.getOrderId()), event,
                (known, next) -> next.getVersion() > known.getVersion() ? next : known));
        return latest;
    }

    private static List<EnrichedOrder> countingIn(Map<String, EnrichedOrder> latest, String windowKey) {
        String[] parts = windowKey.split("\\|");
        long start = Long.parseLong(parts[2]);
        long end = start + HOPPING_SIZE.toMillis();
        return latest.values().stream()
                .filter(order -> RevenueRule.counts(order.getOperation(), order.getStatus()))
                .filter(order -> order.getEventTime().toEpochMilli() >= start && order.getEventTime().toEpochMilli() < end)
                .filter(order -> parts[0].equals(Dimension.TOTAL.id()) || order.getProductCategory().equals(parts[1]))
                .toList();
    }

    private static long ledgerCount(Map<String, EnrichedOrder> latest, String windowKey) {
        return countingIn(latest, windowKey).size();
    }

    private static Map<String, Long> ledgerRevenue(Map<String, EnrichedOrder> latest, String windowKey) {
        Map<String, Long> revenue = new TreeMap<>();
        countingIn(latest, windowKey).forEach(order -> revenue.merge(order.getCurrency(), order.getAmountMinor(), Long::sum));
        return revenue;
    }
}
