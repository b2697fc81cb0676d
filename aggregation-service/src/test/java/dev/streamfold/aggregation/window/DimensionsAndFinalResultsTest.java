package dev.streamfold.aggregation.window;

import static dev.streamfold.aggregation.window.EnrichedOrders.changed;
import static dev.streamfold.aggregation.window.EnrichedOrders.databaseOrder;
import static dev.streamfold.aggregation.window.EnrichedOrders.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.aggregate.Emission;
import dev.streamfold.common.aggregate.WindowKind;
import dev.streamfold.common.config.StreamfoldProperties;
import dev.streamfold.common.order.OrderRules;
import dev.streamfold.common.order.SourceStreamTime;
import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.common.streams.StreamsDefaults;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.common.tracing.RecordTracing;
import dev.streamfold.schemas.CustomerLifetime;
import dev.streamfold.schemas.DistinctEstimate;
import dev.streamfold.schemas.EnrichedOrder;
import dev.streamfold.schemas.OrderOperation;
import dev.streamfold.schemas.ValueQuantiles;
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.header.internals.RecordHeaders;
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
 * Every dimension, hopping windows, final results, lifetime totals and the sketches, on TopologyTestDriver (one input
 * partition: the driver's; the other three input partitions' progress is piped into the repartition topic).
 */
class DimensionsAndFinalResultsTest {

    private static final String APPLICATION_ID = "aggregation-dimensions-test";
    private static final Duration SIZE = Duration.ofMinutes(1);
    private static final Duration GRACE = Duration.ofMinutes(1);
    private static final Duration FLUSH = Duration.ofMillis(100);
    private static final Instant W1 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant W2 = W1.plus(SIZE);
    private static final Instant START = W1.plus(Duration.ofHours(1));

    @TempDir
    Path stateDir;

    private final Topics topics = new Topics(AvroBinarySerde.factory());
    private final RecordAccounting accounting = RecordAccounting.inMemory("aggregation-service");
    private TopologyTestDriver driver;
    private Instant wallClock;
    private TestInputTopic<String, EnrichedOrder> orders;

    @BeforeEach
    void startDriver() {
        wallClock = START;
        driver = new TopologyTestDriver(
                AggregationTopology.build(topics, AvroBinarySerde.factory(), new WindowSettings(SIZE, GRACE),
                        StreamfoldProperties.Aggregates.defaults(), OrderRules.defaults(), accounting, FLUSH, RecordTracing.off()),
                StreamsDefaults.exactlyOnce(APPLICATION_ID, "unused:9092", stateDir.toString(), (short) 1, accounting), START);
        Topic<String, EnrichedOrder> input = topics.ordersEnriched();
        orders = driver.createInputTopic(input.name(), input.keySerde().serializer(), input.valueSerde().serializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void shouldAggregateEveryDimensionAndTheTotalInTheSameWindows() {
        // Given orders of two customers in two countries and two categories, one at the exact end instant of W1
        send(country(order("e1", 1, "books", 1_000, "EUR", W1.plusSeconds(1)), "DE"));
        send(country(order("e2", 2, "games", 500, "EUR", W1.plusSeconds(30)), "FR"));
        send(country(order("e3", 1, "games", 200, "USD", W1.plusSeconds(59)), "DE"));
        send(country(order("e4", 2, "books", 300, "EUR", W2), "FR"));
        flush();

        // When the live figures of each dimension are read
        Map<WindowKey, WindowAggregate> byCountry = latest(AggregateStream.live(Dimension.COUNTRY));
        Map<WindowKey, WindowAggregate> byCustomer = latest(AggregateStream.live(Dimension.CUSTOMER));
        Map<WindowKey, WindowAggregate> total = latest(AggregateStream.live(Dimension.TOTAL));

        // Then each has exact counts, quantities and revenue per currency; the order at W1's end instant is in W2
        assertThat(byCountry.get(new WindowKey("DE", W1)).getRevenueMinor()).isEqualTo(Map.of("EUR", 1_000L, "USD", 200L));
        assertThat(byCountry.get(new WindowKey("FR", W1)).getOrderCount()).isEqualTo(1);
        assertThat(byCustomer.get(new WindowKey("1", W1)).getOrderCount()).isEqualTo(2);
        assertThat(byCustomer.get(new WindowKey("2", W2)).getRevenueMinor()).isEqualTo(Map.of("EUR", 300L));
        WindowAggregate w1 = total.get(new WindowKey(Dimension.TOTAL_VALUE, W1));
        assertThat(w1.getOrderCount()).isEqualTo(3);
        assertThat(w1.getQuantity()).isEqualTo(3);
        assertThat(w1.getRevenueMinor()).isEqualTo(Map.of("EUR", 1_500L, "USD", 200L));
        assertThat(w1.getMinOrderMinor()).isEqualTo(Map.of("EUR", 500L, "USD", 200L));
        assertThat(w1.getMaxOrderMinor()).isEqualTo(Map.of("EUR", 1_000L, "USD", 200L));
        assertThat(w1.getDistinctCustomers().getEstimate()).isEqualTo(2);
        assertThat(total.get(new WindowKey(Dimension.TOTAL_VALUE, W2)).getOrderCount()).isEqualTo(1);
    }

    @Test
    void shouldCountAnOrderInEveryHoppingWindowThatContainsIt() {
        // Given one order at W1 + 30 s
        send(order("e1", 1, "books", 100, "EUR", W1.plusSeconds(30)));
        flush();

        // When the hopping figures (5 min, every minute) of the total are read after the final stage's next
        // publication (it combines them from the tumbling partial the flush sent)
        flush();
        Map<WindowKey, WindowAggregate> hopping = latest(new AggregateStream(Dimension.TOTAL, WindowKind.HOPPING, Emission.LIVE));

        // Then the five overlapping windows starting from W1 - 4 min to W1 each count it once, five minutes long
        assertThat(hopping.keySet()).extracting(WindowKey::getWindowStart).containsExactlyInAnyOrder(
                W1.minusSeconds(240), W1.minusSeconds(180), W1.minusSeconds(120), W1.minusSeconds(60), W1);
        assertThat(hopping.values()).allSatisfy(window -> {
            assertThat(window.getOrderCount()).isEqualTo(1);
            assertThat(Duration.between(window.getWindowStart(), window.getWindowEnd())).isEqualTo(Duration.ofMinutes(5));
        });
    }

    @Test
    void shouldPublishOneFinalResultPerWindowOnlyWhenEveryInputPartitionHasPassedItsEndPlusGrace() {
        // Given W1 counted on partition 0, whose stream time has passed W1's end + grace
        send(order("e1", 1, "books", 100, "EUR", W1.plusSeconds(10)));
        send(order("e2", 2, "books", 200, "EUR", W1.plus(SIZE).plus(GRACE).plusSeconds(5)));
        flush();
        TestOutputTopic<WindowKey, WindowAggregate> finals = output(AggregateStream.finalResults(Dimension.CATEGORY));

        // When partitions 1 and 2 report progress past it, but partition 3 is still at W1
        progress(1, W2.plus(GRACE).plusSeconds(1));
        progress(2, W2.plus(GRACE).plusSeconds(1));
        progress(3, W1.plusSeconds(30));

        // Then W1 is not final yet
        assertThat(finals.isEmpty()).isTrue();

        // When partition 3 passes it too (and reports again)
        progress(3, W2.plus(GRACE));
        progress(3, W2.plus(GRACE).plusSeconds(2));

        // Then W1's final result is published exactly once, with the figures of the live topic
        Map<WindowKey, WindowAggregate> published = finals.readKeyValuesToMap();
        assertThat(published).containsOnlyKeys(new WindowKey("books", W1));
        WindowAggregate result = published.get(new WindowKey("books", W1));
        assertThat(result.getFinalResult()).isTrue();
        assertThat(result.getOrderCount()).isEqualTo(1);
        assertThat(finals.isEmpty()).isTrue();
        progress(1, W2.plus(GRACE).plusSeconds(3));
        assertThat(finals.isEmpty()).isTrue();
    }

    @Test
    void shouldCloseACustomersWindowOnItsOwnPartitionAndAmendItForAStragglerOnTimeAtItsSource() {
        // Given customer 1's orders in W1 on partition 0, then stream time past W1's end + grace (no other partition
        // has reported: a customer's orders all come to its partition)
        send(order("e1", 1, "books", 100, "EUR", W1.plusSeconds(10)));
        send(order("e2", 1, "games", 250, "EUR", W1.plusSeconds(20)));
        flush();
        TestOutputTopic<WindowKey, WindowAggregate> finals = output(AggregateStream.finalResults(Dimension.CUSTOMER));
        assertThat(finals.isEmpty()).isTrue();
        send(order("e3", 2, "books", 300, "EUR", W2.plus(GRACE).plusSeconds(5)));

        // Then customer 1's W1 is final at once, with both orders; the category's W1 waits for the other partitions
        TestRecord<WindowKey, WindowAggregate> closed = finals.readRecord();
        assertThat(closed.key()).isEqualTo(new WindowKey("1", W1));
        assertThat(closed.value().getFinalResult()).isTrue();
        assertThat(closed.value().getOrderCount()).isEqualTo(2);
        assertThat(closed.value().getRevenueMinor()).isEqualTo(Map.of("EUR", 350L));
        assertThat(closed.headers().lastHeader(Emitted.AMENDED_HEADER)).isNull();
        // And its distinct customers are one, exactly (no sketch bounds around it), and its figures those last live
        assertThat(closed.value().getDistinctCustomers()).isEqualTo(new DistinctEstimate(1L, 1L, 1L));
        WindowAggregate lastLive = latest(AggregateStream.live(Dimension.CUSTOMER)).get(new WindowKey("1", W1));
        assertThat(WindowAggregate.newBuilder(closed.value()).setFinalResult(false).build()).isEqualTo(lastLive);
        assertThat(finals.isEmpty()).isTrue();
        assertThat(output(AggregateStream.finalResults(Dimension.CATEGORY)).isEmpty()).isTrue();

        // When an order of customer 1 in W1 comes that was on time at its source (enrichment kept it waiting)
        sendJudgedAtSource(order("e4", 1, "toys", 50, "EUR", W1.plusSeconds(40)), W1.plusSeconds(45));
        flush();

        // Then W1 of customer 1 is published again, live and final, with the header saying it amends the final result
        TestRecord<WindowKey, WindowAggregate> amended = finals.readRecord();
        assertThat(amended.value().getOrderCount()).isEqualTo(3);
        assertThat(amended.value().getRevenueMinor()).isEqualTo(Map.of("EUR", 400L));
        assertThat(amended.headers().lastHeader(Emitted.AMENDED_HEADER)).isNotNull();
        assertThat(latest(AggregateStream.live(Dimension.CUSTOMER)).get(new WindowKey("1", W1)).getOrderCount()).isEqualTo(3);
        assertThat(finals.isEmpty()).isTrue();
    }

    @Test
    void shouldKeepLifetimeTotalsPerCustomerAcrossWindowsAndChanges() {
        // Given a customer's orders in two windows, one of them then cancelled
        EnrichedOrder first = databaseOrder(10, 1_000, 7, "books", 1_000, "EUR", W1.plusSeconds(1));
        send(first);
        send(databaseOrder(11, 1_001, 7, "games", 250, "USD", W2.plusSeconds(1)));
        send(changed(first, 2_000, OrderOperation.UPDATE, o -> o.setStatus("CANCELLED")));

        // When the customer's lifetime totals are read
        Topic<String, CustomerLifetime> topic = topics.customerLifetimes();
        Map<String, CustomerLifetime> lifetimes = driver.createOutputTopic(topic.name(), Serdes.String().deserializer(),
                topic.valueSerde().deserializer()).readKeyValuesToMap();

        // Then only the order that still counts is in them, and the first order placed stays the first
        CustomerLifetime lifetime = lifetimes.get("7");
        assertThat(lifetime.getOrderCount()).isEqualTo(1);
        assertThat(lifetime.getRevenueMinor()).isEqualTo(Map.of("EUR", 0L, "USD", 250L));
        assertThat(lifetime.getFirstOrderAt()).isEqualTo(W1.plusSeconds(1));
        assertThat(lifetime.getLastOrderAt()).isEqualTo(W2.plusSeconds(1));
    }

    @Test
    void shouldTakeACancelledOrderOutOfTheMinimumMaximumAndSketches() {
        // Given three orders of W1, the largest of them then cancelled
        send(order("e1", 1, "books", 100, "EUR", W1.plusSeconds(1)));
        send(order("e2", 2, "books", 200, "EUR", W1.plusSeconds(2)));
        EnrichedOrder largest = databaseOrder(99, 1_000, 3, "books", 900, "EUR", W1.plusSeconds(3));
        send(largest);
        flush();
        send(changed(largest, 2_000, OrderOperation.UPDATE, o -> o.setStatus("CANCELLED")));
        flush();

        // When W1's latest total is read
        WindowAggregate w1 = latest(AggregateStream.live(Dimension.TOTAL)).get(new WindowKey(Dimension.TOTAL_VALUE, W1));

        // Then the figures describe the two orders that count now
        assertThat(w1.getOrderCount()).isEqualTo(2);
        assertThat(w1.getMaxOrderMinor()).isEqualTo(Map.of("EUR", 200L));
        assertThat(w1.getDistinctCustomers().getEstimate()).isEqualTo(2);
        assertThat(w1.getOrderValueQuantiles().get("EUR").getOrderCount()).isEqualTo(2);
        assertThat(w1.getOrderValueQuantiles().get("EUR").getP99()).isEqualTo(200);
    }

    @Test
    void shouldEstimateDistinctCustomersAndQuantilesWithinTheirDocumentedBounds() {
        // Given 6,000 distinct customers each placing two orders in W1, with values drawn at random
        Random random = new Random(42);
        int customers = 6_000;
        long[] values = new long[customers * 2];
        for (int i = 0; i < values.length; i++) {
            values[i] = 100 + random.nextInt(100_000);
            long customer = 1 + (i % customers);
            send(order("e" + i, customer, "books", values[i], "EUR", W1.plusMillis(i)));
        }
        flush();

        // When W1's total is read
        WindowAggregate w1 = latest(AggregateStream.live(Dimension.TOTAL)).get(new WindowKey(Dimension.TOTAL_VALUE, W1));

        // Then the true distinct count is within the HyperLogLog bounds, and the estimate within 4 % (2.5 RSE)
        assertThat(w1.getOrderCount()).isEqualTo(values.length);
        assertThat(customers).isBetween((int) w1.getDistinctCustomers().getLowerBound(), (int) w1.getDistinctCustomers().getUpperBound());
        assertThat((double) w1.getDistinctCustomers().getEstimate()).isCloseTo(customers, within(customers * 0.04));
        // And each quantile's true rank is within the KLL sketch's normalized rank error of the asked rank
        ValueQuantiles quantiles = w1.getOrderValueQuantiles().get("EUR");
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        assertThat(quantiles.getRankError()).isBetween(0.005, 0.02);
        assertRank(sorted, quantiles.getP50(), 0.50, quantiles.getRankError());
        assertRank(sorted, quantiles.getP95(), 0.95, quantiles.getRankError());
        assertRank(sorted, quantiles.getP99(), 0.99, quantiles.getRankError());
    }

    private static void assertRank(long[] sorted, long quantile, double rank, double error) {
        int atOrBelow = 0;
        while (atOrBelow < sorted.length && sorted[atOrBelow] <= quantile) {
            atOrBelow++;
        }
        assertThat((double) atOrBelow / sorted.length).isCloseTo(rank, within(error));
    }

    private static EnrichedOrder country(EnrichedOrder order, String country) {
        return EnrichedOrder.newBuilder(order).setCustomerCountry(country).build();
    }

    private void send(EnrichedOrder order) {
        orders.pipeInput(Long.toString(order.getCustomerId()), order, wallClock);
    }

    private void sendJudgedAtSource(EnrichedOrder order, Instant sourceStreamTime) {
        RecordHeaders headers = new RecordHeaders();
        SourceStreamTime.stamp(headers, sourceStreamTime.toEpochMilli());
        orders.pipeInput(new TestRecord<>(Long.toString(order.getCustomerId()), order, headers, wallClock));
    }

    private void progress(int partition, Instant streamTime) {
        driver.createInputTopic(AggregationTopology.partialsRepartitionTopic(APPLICATION_ID), Serdes.String().serializer(),
                new MergeInputSerde().serializer()).pipeInput(WindowOrders.PROGRESS_KEY,
                new Progress(partition, streamTime.toEpochMilli()), wallClock);
    }

    private void flush() {
        driver.advanceWallClockTime(FLUSH);
        wallClock = wallClock.plus(FLUSH);
    }

    private TestOutputTopic<WindowKey, WindowAggregate> output(AggregateStream stream) {
        Topic<WindowKey, WindowAggregate> topic = topics.aggregates(stream);
        return driver.createOutputTopic(topic.name(), topic.keySerde().deserializer(), topic.valueSerde().deserializer());
    }

    private Map<WindowKey, WindowAggregate> latest(AggregateStream stream) {
        return output(stream).readKeyValuesToMap();
    }
}
