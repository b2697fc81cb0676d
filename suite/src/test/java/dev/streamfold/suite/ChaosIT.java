package dev.streamfold.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.aggregate.Emission;
import dev.streamfold.common.aggregate.WindowKind;
import dev.streamfold.common.aggregate.WindowSpec;
import dev.streamfold.common.config.StreamfoldProperties;
import dev.streamfold.common.order.RevenueRule;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.localstack.LocalStack;
import dev.streamfold.localstack.LocalStackExtension;
import dev.streamfold.schemas.EnrichedOrder;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import dev.streamfold.schemas.db.ShopDatabase.HistoricOrder;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Chaos: a shop with two years of history (cancelled, corrected and shipped orders among them) is captured, and then a
 * busy shop keeps ordering, in the database and straight to Kafka, with duplicates, out-of-order event times, changes
 * of recent orders (cancellations, corrections, deletes, re-delivered and overtaken versions) and late orders; customers
 * move and products are recategorised meanwhile. Aggregation and enrichment are each SIGKILLed three times at random
 * moments and started again, one of them only after ten times the grace period. At the end every tumbling window of
 * every dimension, and the total, and every hopping window of the hopping dimensions (combined by the aggregation from
 * tumbling panes) must equal what the test computes on its own (SQL over the source rows for database
 * orders, its ledger for direct ones, the attributes valid at each order's event time), exactly; late orders must be in
 * {@code orders.late} and nowhere else; nothing may be dead-lettered.
 *
 * <p>More orders and kills: {@code -Dchaos.history=200000 -Dchaos.live-seconds=600 -Dchaos.kills=10}.
 */
@ExtendWith(LocalStackExtension.class)
class ChaosIT {

    private static final Duration WINDOW = Duration.ofMinutes(1);
    private static final Duration GRACE = Duration.ofSeconds(5);
    private static final int HISTORY = Integer.getInteger("chaos.history", 75_000);
    private static final Duration LIVE = Duration.ofSeconds(Long.getLong("chaos.live-seconds", 200));
    private static final int KILLS_EACH = Integer.getInteger("chaos.kills", 3);
    private static final long MINIMUM_ORDERS = Long.getLong("chaos.min-orders", 100_000);
    /** Orders per 100 ms while live: up to 600 per second, half in the database. */
    private static final int PER_TICK = 60;
    private static final Duration TRADING = Duration.ofDays(730);
    private static final int CUSTOMERS = 300;
    private static final int PRODUCTS = 40;
    private static final List<String> COUNTRIES = List.of("DE", "FR", "NL", "IT", "ES", "PL");
    private static final List<String> CATEGORIES = List.of("books", "games", "toys", "kitchen", "garden");
    private static final List<String> CURRENCIES = List.of("EUR", "GBP", "USD");
    private static final Duration TIMEOUT = Duration.ofMinutes(6);

    private static final Random random = new Random(20_261_202);
    private static final ShopAttributes attributes = new ShopAttributes();
    private static TestSuite run;

    @RegisterExtension
    static final TestWatcher SERVICE_LOGS_ON_FAILURE = TestSuite.printsLogsOnFailure(() -> run);

    @BeforeAll
    static void openTheShopTwoYearsAgo(LocalStack stack) {
        run = TestSuite.create(stack, "chaos", settings -> settings
                .withArguments(Service.AGGREGATION, "--streamfold.windows.grace=" + GRACE)
                .withArguments(Service.QUERY, "--streamfold.windows.grace=" + GRACE));
        Instant opened = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        for (long id = 1; id <= CUSTOMERS; id++) {
            String country = pick(COUNTRIES);
            attributes.country(id, Instant.MIN, country);
            run.shop().insertCustomer(id, "Customer " + id, "c" + id + "@example.com", country, "standard",
                    opened.minus(Duration.ofMinutes(random.nextInt(30 * 24 * 60))));
        }
        for (long id = 1; id <= PRODUCTS; id++) {
            String category = pick(CATEGORIES);
            attributes.category(id, Instant.MIN, category);
            run.shop().insertProduct(id, "Product " + id, category, 500 + random.nextInt(10_000),
                    opened.minus(Duration.ofMinutes(random.nextInt(60 * 24 * 60))));
        }
        List<HistoricOrder> history = new ArrayList<>(HISTORY);
        Instant start = opened.minus(TRADING);
        long step = TRADING.toMillis() / HISTORY;
        for (int i = 0; i < HISTORY; i++) {
            history.add(historicOrder(start.plusMillis(i * step + random.nextLong(step))));
        }
        run.shop().insertOrders(history);
    }

    @AfterAll
    static void stopSuite() {
        if (run != null) {
            run.close();
        }
    }

    @Test
    void shouldAggregateEveryOrderExactlyInEveryDimensionWhileServicesAreKilledAtRandom() throws Exception {
        // Given the suite started on two years of history, captured, and then a busy shop ordering all along
        run.start();
        awaitHistoryEnriched();
        ChaosTraffic traffic = new ChaosTraffic(run.shop(), run.client(), CUSTOMERS, PRODUCTS, WINDOW, GRACE, PER_TICK).start();
        Instant liveUntil = Instant.now().plus(LIVE);
        try (traffic) {
            // When aggregation and enrichment are each killed (SIGKILL) at random moments, side by side, and started
            // again, one of them once only after ten times the grace; and customers move and products are
            // recategorised meanwhile
            Service longOutage = random.nextBoolean() ? Service.AGGREGATION : Service.ENRICHMENT;
            ExecutorService chaos = Executors.newFixedThreadPool(2);
            List<Future<?>> killers = List.of(
                    chaos.submit(() -> killAndRestart(Service.AGGREGATION, new Random(random.nextLong()), longOutage)),
                    chaos.submit(() -> killAndRestart(Service.ENRICHMENT, new Random(random.nextLong()), longOutage)));
            TestSuite.pause(Duration.ofSeconds(40));
            moveCustomersAndRecategoriseProducts(traffic);
            for (Future<?> killer : killers) {
                killer.get();
            }
            chaos.shutdown();
            Duration left = Duration.between(Instant.now(), liveUntil);
            if (!left.isNegative()) {
                TestSuite.pause(left);
            }
        }
        System.out.printf("ChaosIT: %,d historical orders, %,d placed live, %,d changed, %d kills%n", HISTORY,
                traffic.placed(), traffic.changed(), KILLS_EACH * 2);

        // Then every window of every dimension, tumbling and hopping, equals the truth, exactly
        Map<String, String> truth = truth(traffic);
        await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(5)).failFast("a service died", () -> !run.allAlive())
                .untilAsserted(() -> assertThat(differences(truth, published())).isEmpty());
        // ...the late orders are in orders.late, and only they
        Topic<String, EnrichedOrder> late = run.client().topics().ordersLate();
        Set<String> lateIds = run.client().readAll(late.name()).stream()
                .map(record -> late.valueSerde().deserializer().deserialize(late.name(), record.value()).getEventId())
                .collect(Collectors.toSet());
        assertThat(lateIds).containsExactlyInAnyOrderElementsOf(traffic.lateEventIds());
        // ...and nothing was dead-lettered
        for (String deadLetters : run.deadLetterTopics()) {
            assertThat(run.client().readAll(deadLetters)).as(deadLetters).isEmpty();
        }
        // ...over at least 100,000 orders (fewer only when asked for, to try a change quickly)
        assertThat(HISTORY + traffic.placed()).isGreaterThanOrEqualTo(MINIMUM_ORDERS);
    }

    /**
     * Live orders start once the snapshot of the history has been enriched, so that the kills fall in the live phase.
     * (Lateness is judged per publisher, so direct orders published during the snapshot would not make it late; with
     * the database's live orders, the capture's own snapshot-then-stream order keeps the history on time.)
     */
    private static void awaitHistoryEnriched() {
        String stage = run.client().topics().orders().name();
        await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1)).failFast("a service died", () -> !run.allAlive())
                .until(() -> SuiteClient.recordCount(run.suite().metrics(Service.ENRICHMENT), stage, "forwarded") >= HISTORY);
    }

    /** Kills a service {@link #KILLS_EACH} times, each at a random moment, and starts it again after a short pause. */
    private static void killAndRestart(Service victim, Random random, Service longOutage) {
        int longOne = random.nextInt(KILLS_EACH);
        for (int i = 0; i < KILLS_EACH; i++) {
            TestSuite.pause(Duration.ofMillis(2_000 + random.nextInt(10_000)));
            run.suite().kill(victim);
            boolean isLong = victim == longOutage && i == longOne;
            TestSuite.pause(isLong ? GRACE.multipliedBy(10) : Duration.ofMillis(500 + random.nextInt(3_000)));
            run.suite().start(victim);
        }
    }

    /** Customers 1-5 move to Japan and products 1-3 become comics; none of them orders within three seconds of it. */
    private static void moveCustomersAndRecategoriseProducts(ChaosTraffic traffic) {
        Set<Long> movers = Set.of(1L, 2L, 3L, 4L, 5L);
        Set<Long> recategorised = Set.of(1L, 2L, 3L);
        traffic.leaveOut(movers, recategorised);
        TestSuite.pause(Duration.ofSeconds(3));
        Instant before = Instant.now();
        movers.forEach(id -> run.shop().updateCustomerCountry(id, "JP"));
        recategorised.forEach(id -> run.shop().updateProductCategory(id, "comics"));
        Instant after = Instant.now();
        // The commit is somewhere in [before, after]; no order of theirs has an event time in between
        movers.forEach(id -> attributes.country(id, after, "JP"));
        recategorised.forEach(id -> attributes.category(id, after, "comics"));
        TestSuite.pause(Duration.ofSeconds(3).plus(Duration.between(before, after)));
        traffic.takeBack();
    }

    /** SQL over the orders table for database orders, the traffic's ledger for direct ones. */
    private static Map<String, String> truth(ChaosTraffic traffic) {
        // The services run with the shipped hopping windows (5 min every minute) of the shipped hopping dimensions.
        WindowTruth truth = new WindowTruth(WINDOW, WindowSpec.hopping(
                StreamfoldProperties.Hopping.defaults().size(), StreamfoldProperties.Hopping.defaults().advance()),
                StreamfoldProperties.Aggregates.defaults().hoppingDimensions());
        SuiteSettings.Database database = run.settings().database();
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT o.customer_id, o.product_id, o.amount, o.currency, o.created_at"
                     + " FROM orders o WHERE " + RevenueRule.sqlCondition("o"))) {
            while (rows.next()) {
                Instant placed = rows.getTimestamp("created_at").toInstant();
                long customer = rows.getLong("customer_id");
                long product = rows.getLong("product_id");
                truth.count(placed, attributes.categoryAt(product, placed), attributes.countryAt(customer, placed), customer,
                        rows.getString("currency").strip(), rows.getLong("amount"));
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        for (Order order : traffic.directOrders().values()) {
            if (RevenueRule.counts(order.getOperation(), order.getStatus())) {
                Instant placed = order.getEventTime();
                truth.count(placed, attributes.categoryAt(order.getProductId(), placed),
                        attributes.countryAt(order.getCustomerId(), placed), order.getCustomerId(), order.getCurrency(),
                        order.getAmountMinor());
            }
        }
        System.out.printf("ChaosIT: the truth has %,d orders that count%n", truth.orderCount(Dimension.TOTAL));
        return truth.figures();
    }

    /**
     * The latest live figures of every tumbling window of every dimension, and of every hopping window of the hopping
     * dimensions; a window that counts nothing is absent.
     */
    private static Map<String, String> published() {
        Map<String, String> figures = new TreeMap<>();
        List<AggregateStream> streams = new ArrayList<>();
        for (Dimension dimension : Dimension.values()) {
            streams.add(AggregateStream.live(dimension));
        }
        StreamfoldProperties.Aggregates.defaults().hoppingDimensions()
                .forEach(dimension -> streams.add(new AggregateStream(dimension, WindowKind.HOPPING, Emission.LIVE)));
        for (AggregateStream stream : streams) {
            Topic<WindowKey, WindowAggregate> topic = run.client().topics().aggregates(stream);
            Map<String, WindowAggregate> latest = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> record : run.client().readAll(topic.name())) {
                WindowAggregate value = topic.valueSerde().deserializer().deserialize(topic.name(), record.value());
                latest.put(WindowTruth.key(stream.dimension(), stream.kind(), value.getDimensionValue(),
                        value.getWindowStart()), value);
            }
            latest.forEach((key, value) -> {
                if (value.getOrderCount() != 0) {
                    figures.put(key, WindowTruth.describe(value.getOrderCount(), value.getRevenueMinor()));
                }
            });
        }
        return figures;
    }

    /** The windows that differ, with both sides, at most 20: a failure shows where, not 100,000 lines. */
    private static List<String> differences(Map<String, String> truth, Map<String, String> published) {
        Set<String> keys = new HashSet<>(truth.keySet());
        keys.addAll(published.keySet());
        return keys.stream().sorted()
                .filter(key -> !java.util.Objects.equals(truth.get(key), published.get(key)))
                .limit(20)
                .map(key -> key + ": truth " + truth.get(key) + ", published " + published.get(key))
                .toList();
    }

    private static HistoricOrder historicOrder(Instant placed) {
        return HistoricOrders.draw(random, CUSTOMERS, PRODUCTS, CURRENCIES, placed);
    }

    private static <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }
}
