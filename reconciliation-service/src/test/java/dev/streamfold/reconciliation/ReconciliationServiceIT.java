package dev.streamfold.reconciliation;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.jayway.jsonpath.JsonPath;
import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.deadletter.DeadLetterHeaders;
import dev.streamfold.common.order.RevenueRule;
import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.common.serde.RegistrySerdeFactory;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.TopicSettings;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.localstack.Endpoints;
import dev.streamfold.localstack.LocalStack;
import dev.streamfold.localstack.LocalStackExtension;
import dev.streamfold.reconciliation.ShopTables.WindowTotal;
import dev.streamfold.schemas.OrderOperation;
import dev.streamfold.schemas.ReconciliationReport;
import dev.streamfold.schemas.ReconciliationStatus;
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The service against real Kafka, registry and PostgreSQL: a shop's orders in the database (years of history, busy
 * windows, cancellations, corrections, deletes, products and customers changing after their orders), the windows of
 * the dimension {@code total} on {@code aggregates.total} as the aggregation would write them, verdicts read back from
 * the report topic and the REST API. Every test has windows of its own: a window's total counts every order in it.
 */
@ExtendWith(LocalStackExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ReconciliationServiceIT {

    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String PREFIX = "recon-it-" + RUN + ".";
    private static final String APPLICATION_ID = "reconciliation-it-" + RUN;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration WINDOW = Duration.ofMinutes(1);
    private static final AggregateStream TOTAL = AggregateStream.live(Dimension.TOTAL);
    /** Windows well in the past: settled after the test's one-second settle delay, and inside the lookback. */
    private static final Instant BASE = Instant.ofEpochMilli(Math.floorDiv(
            Instant.now().minus(Duration.ofMinutes(30)).toEpochMilli(), WINDOW.toMillis()) * WINDOW.toMillis());
    /** Before the default lookback of 24 hours: the shop's history, never checked. */
    private static final Instant HISTORY_ENDS = BASE.minus(Duration.ofDays(2));

    private static ShopTables shop;
    private static Endpoints endpoints;
    private static Topics topics;

    @LocalServerPort
    private int port;

    @DynamicPropertySource
    static void localStack(DynamicPropertyRegistry registry) {
        Endpoints endpoints = LocalStack.shared().endpoints();
        String jdbcUrl = LocalStack.shared().createDatabase("reconciliation_" + RUN);
        shop = ShopTables.create(jdbcUrl, endpoints.postgresUser(), endpoints.postgresPassword(), WINDOW);
        // A shop that was trading for years before the service started
        Random random = new Random(7);
        shop.stock(40, 25, random).history(HISTORY_ENDS, Duration.ofDays(3 * 365), 1_500, random);
        registry.add("server.port", () -> "0");
        registry.add("spring.kafka.bootstrap-servers", endpoints::bootstrapServers);
        registry.add("streamfold.registry.url", endpoints::registryUrl);
        registry.add("streamfold.topics.prefix", () -> PREFIX);
        registry.add("spring.datasource.url", () -> jdbcUrl);
        registry.add("spring.datasource.username", endpoints::postgresUser);
        registry.add("spring.datasource.password", endpoints::postgresPassword);
        registry.add("reconciliation.application-id", () -> APPLICATION_ID);
        registry.add("reconciliation.interval", () -> "PT0.5S");
        registry.add("reconciliation.settle-delay", () -> "PT1S");
        // No aggregation runs here (the test writes the aggregates): a grace below the settle delay, as required.
        registry.add("streamfold.windows.grace", () -> "PT0.5S");
    }

    /** What this service reads but does not write, created as its writer would create it. */
    @BeforeAll
    static void createTopicsWrittenUpstream() {
        Topics names = new Topics(AvroBinarySerde.factory(), PREFIX);
        LocalStack.shared().createTopics(List.of(names.aggregates(TOTAL).newTopic(TopicSettings.singleBroker())));
    }

    @BeforeAll
    static void testTopics(LocalStack stack) {
        endpoints = stack.endpoints();
        topics = new Topics(new RegistrySerdeFactory(endpoints.registryUrl()), PREFIX);
    }

    @AfterAll
    static void closeSerdes() {
        topics.all().forEach(topic -> {
            topic.keySerde().close();
            topic.valueSerde().close();
        });
    }

    @Test
    void shouldPublishAMatchWhenTheCommittedTotalAgreesWithTheDatabase() throws Exception {
        // Given a busy window W (three currencies, cancelled, corrected, shipped and deleted orders) and an order placed
        // exactly at W's end, which belongs to the next window
        Instant window = BASE;
        Instant next = window.plus(WINDOW);
        shop.trade(window, 40, new Random(1));
        shop.placeOrder(shop.customer("DE"), shop.product("books", 999), 2, 1_998, "EUR", next);
        WindowTotal total = shop.totalIn(window);
        assertThat(total.revenueMinor()).as("the window holds several currencies").hasSizeGreaterThan(1);

        // When the aggregation commits the matching totals of both windows, then aborts a wrong overwrite of W
        try (KafkaProducer<WindowKey, WindowAggregate> producer = transactionalAggregateProducer()) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(aggregateRecord(window, total));
            producer.send(aggregateRecord(next, shop.totalIn(next)));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(aggregateRecord(window, new WindowTotal(99, 99, Map.of("EUR", 1L))));
            producer.flush();
            producer.abortTransaction();
        }

        // Then W is reported as a match of the dimension total, with the shop's numbers on both sides
        ReconciliationReport report = awaitLatestReport(window, ReconciliationStatus.MATCH);
        assertThat(report.getDimension()).isEqualTo(Dimension.TOTAL.id());
        assertThat(report.getDimensionValue()).isEqualTo(Dimension.TOTAL_VALUE);
        assertThat(report.getWindowEnd()).isEqualTo(next);
        assertThat(report.getExpectedOrderCount()).isEqualTo(total.orderCount());
        assertThat(report.getActualOrderCount()).isEqualTo(total.orderCount());
        assertThat(report.getExpectedRevenueMinor()).isEqualTo(total.revenueMinor());
        assertThat(report.getActualRevenueMinor()).isEqualTo(total.revenueMinor());
        // ...and so is the next window, with just the order placed at W's end
        ReconciliationReport nextReport = awaitLatestReport(next, ReconciliationStatus.MATCH);
        assertThat(nextReport.getExpectedOrderCount()).isEqualTo(1);

        // And the REST API shows the verdict this instance published, quantities included
        Map<String, Object> verdict = awaitVerdict(window, ReconciliationStatus.MATCH);
        assertThat(verdict).containsEntry("dimension", "total").containsEntry("dimensionValue", "all")
                .containsEntry("windowEnd", next.toString());
        assertThat(number(verdict, "expectedQuantity")).isEqualTo(total.quantity());
        assertThat(number(verdict, "actualQuantity")).isEqualTo(total.quantity());

        // And the years of history before the lookback were not checked
        List<String> starts = JsonPath.read(get("/api/v1/reconciliation/total").body(), "$[*].windowStart");
        assertThat(starts).allSatisfy(start -> assertThat(Instant.parse(start)).isAfter(HISTORY_ENDS));
    }

    @Test
    void shouldStillMatchAfterAProductMovedCategoryAndACustomerMovedCountryAfterTheirOrders() throws Exception {
        // Given a busy window W with orders of a book and of a German customer
        Instant window = BASE.plus(WINDOW.multipliedBy(3));
        long book = shop.product("books", 1_250);
        long customer = shop.customer("DE");
        shop.trade(window, 25, new Random(2));
        shop.placeOrder(customer, book, 1, 1_250, "EUR", window.plusSeconds(12));
        shop.placeOrder(shop.customer("FR"), book, 3, 3_750, "EUR", window.plusSeconds(41));
        shop.placeOrder(customer, book, 2, 2_500, "GBP", window.plusSeconds(59));

        // When, after those orders, the book moves to another category and the customer to another country, and the
        // aggregation (which counted every order of W whatever its category) publishes W's total
        shop.moveProduct(book, "games");
        shop.moveCustomer(customer, "FR");
        WindowTotal total = shop.totalIn(window);
        send(aggregateRecord(window, total));

        // Then W matches: the total does not depend on what a product or a customer is now
        ReconciliationReport report = awaitLatestReport(window, ReconciliationStatus.MATCH);
        assertThat(report.getExpectedOrderCount()).isEqualTo(total.orderCount());
        assertThat(report.getExpectedRevenueMinor()).isEqualTo(total.revenueMinor());
        assertThat(number(awaitVerdict(window, ReconciliationStatus.MATCH), "expectedQuantity")).isEqualTo(total.quantity());
    }

    @Test
    void shouldReportAMismatchWhileTheTotalLagsAndAMatchOnceItCatchesUp() throws Exception {
        // Given a busy window W
        Instant window = BASE.plus(WINDOW.multipliedBy(5));
        List<Long> orders = shop.trade(window, 30, new Random(3));
        WindowTotal total = shop.totalIn(window);
        ShopTables.OrderRow lastCounted = orders.reversed().stream().map(shop::order)
                .filter(order -> order != null && RevenueRule.counts(OrderOperation.UPDATE, order.status()))
                .findFirst().orElseThrow();
        WindowTotal lagging = total.without(lastCounted);

        // When the total on the topic has not counted the last of W's orders yet
        send(aggregateRecord(window, lagging));

        // Then W is reported as a mismatch, showing both sides (a batch may first have seen no aggregate at all)
        ReconciliationReport mismatch = awaitLatestReport(window,
                report -> report.getStatus() == ReconciliationStatus.MISMATCH
                        && report.getActualOrderCount() == lagging.orderCount());
        assertThat(mismatch.getExpectedOrderCount()).isEqualTo(total.orderCount());
        assertThat(mismatch.getExpectedRevenueMinor()).isEqualTo(total.revenueMinor());
        assertThat(mismatch.getActualRevenueMinor()).isEqualTo(lagging.revenueMinor());

        // When the total catches up
        send(aggregateRecord(window, total));

        // Then the changed verdict is published: W now matches
        awaitLatestReport(window, ReconciliationStatus.MATCH);
    }

    @Test
    void shouldReportAMismatchWhenOnlyTheQuantityDiffers() throws Exception {
        // Given a busy window W whose total the aggregation published, matching
        Instant window = BASE.plus(WINDOW.multipliedBy(7));
        shop.trade(window, 20, new Random(4));
        long order = shop.placeOrder(shop.customer("US"), shop.product("tools", 500), 1, 500, "USD", window.plusSeconds(30));
        WindowTotal published = shop.totalIn(window);
        send(aggregateRecord(window, published));
        awaitLatestReport(window, ReconciliationStatus.MATCH);

        // When one order's quantity is corrected (its amount unchanged) and the pipeline misses the correction
        shop.correct(order, 3, 500);
        WindowTotal corrected = shop.totalIn(window);

        // Then W is reported as a mismatch though its order count and revenue agree...
        ReconciliationReport mismatch = awaitLatestReport(window, report -> report.getStatus() == ReconciliationStatus.MISMATCH);
        assertThat(mismatch.getExpectedOrderCount()).isEqualTo(mismatch.getActualOrderCount()).isEqualTo(published.orderCount());
        assertThat(mismatch.getExpectedRevenueMinor()).isEqualTo(mismatch.getActualRevenueMinor());
        // ...and the REST API shows the quantities that differ (the report's schema has no field for them)
        Map<String, Object> verdict = awaitVerdict(window, ReconciliationStatus.MISMATCH);
        assertThat(number(verdict, "expectedQuantity")).isEqualTo(corrected.quantity()).isEqualTo(published.quantity() + 2);
        assertThat(number(verdict, "actualQuantity")).isEqualTo(published.quantity());

        // When the aggregation applies the correction
        send(aggregateRecord(window, corrected));

        // Then W matches again
        awaitLatestReport(window, ReconciliationStatus.MATCH);
    }

    @Test
    void shouldDeadLetterUnreadableAndForeignAggregatesAndKeepReconciling() throws Exception {
        // Given a busy window W
        Instant window = BASE.plus(WINDOW.multipliedBy(9));
        shop.trade(window, 10, new Random(5));
        Topic<WindowKey, WindowAggregate> aggregates = topics.aggregates(TOTAL);
        byte[] readableKey = aggregates.keySerde().serializer().serialize(aggregates.name(), totalKey(window));
        byte[] garbageKey = "not a window key".getBytes(UTF_8);
        byte[] garbageValue = "not an aggregate".getBytes(UTF_8);
        WindowAggregate books = WindowAggregate.newBuilder(aggregate(window, shop.totalIn(window)))
                .setDimension(Dimension.CATEGORY.id()).setDimensionValue("books").build();

        // When a record that is garbage through and through, one with a readable key but a garbage value, and a
        // category's aggregate land on the total's topic ahead of the good total of W, on W's partition
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(aggregates.name(), 0, garbageKey, garbageValue)).get();
            producer.send(new ProducerRecord<>(aggregates.name(), 0, readableKey, garbageValue)).get();
        }
        send(new ProducerRecord<>(aggregates.name(), 0, new WindowKey("books", window), books));
        send(new ProducerRecord<>(aggregates.name(), 0, totalKey(window), aggregate(window, shop.totalIn(window))));

        // Then the three are in the dead-letter topic, the unreadable ones byte for byte, with Streamfold's headers
        try (TopicReader<byte[], byte[]> deadLetters = new TopicReader<>(endpoints.bootstrapServers(),
                aggregates.deadLetterTopicName(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(deadLetters.poll()).hasSize(3));
            List<ConsumerRecord<byte[], byte[]>> records = deadLetters.poll();
            assertThat(records.subList(0, 2)).extracting(ConsumerRecord::key).containsExactly(garbageKey, readableKey);
            assertThat(records.subList(0, 2)).extracting(ConsumerRecord::value).containsExactly(garbageValue, garbageValue);
            assertThat(DeadLetterHeaders.text(records.get(2).headers(), DeadLetterHeaders.ERROR_MESSAGE))
                    .contains("'books'", "'all'");
            assertThat(records).allSatisfy(record -> {
                assertThat(DeadLetterHeaders.text(record.headers(), DeadLetterHeaders.SERVICE)).isEqualTo(APPLICATION_ID);
                assertThat(DeadLetterHeaders.text(record.headers(), DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(aggregates.name());
                assertThat(DeadLetterHeaders.text(record.headers(), DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo("0");
                assertThat(DeadLetterHeaders.text(record.headers(), DeadLetterHeaders.SOURCE_OFFSET)).isNotBlank();
                assertThat(DeadLetterHeaders.text(record.headers(), DeadLetterHeaders.ERROR_CLASS)).isNotBlank();
                assertThat(DeadLetterHeaders.text(record.headers(), DeadLetterHeaders.FAILED_AT)).isNotBlank();
            });
        }

        // And the good total after them is still reconciled
        awaitLatestReport(window, ReconciliationStatus.MATCH);
    }

    @Test
    void shouldRunABatchOnDemandAndServeTheTotalVerdicts() throws Exception {
        // Given an order in a window the aggregation never produced
        Instant window = BASE.plus(WINDOW.multipliedBy(11));
        shop.placeOrder(shop.customer("GB"), shop.product("toys", 1_500), 2, 3_000, "GBP", window.plusSeconds(10));

        // When a batch is triggered through the API
        HttpResponse<String> run = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri("/api/v1/reconciliation/runs"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

        // Then it answers with a summary that counts the unmatched window
        assertThat(run.statusCode()).as(run.body()).isEqualTo(200);
        assertThat(run.body()).contains("\"windowsChecked\":", "\"matches\":", "\"mismatches\":");
        Map<String, Object> verdict = awaitVerdict(window, ReconciliationStatus.MISMATCH);
        assertThat(number(verdict, "expectedOrderCount")).isEqualTo(1);
        assertThat(number(verdict, "actualOrderCount")).isZero();
        assertThat(number(verdict, "expectedQuantity")).isEqualTo(2);
        assertThat(verdict.get("expectedRevenueMinor")).isEqualTo(Map.of("GBP", 3_000));

        // And the verdicts come earliest window first
        List<String> starts = JsonPath.read(get("/api/v1/reconciliation/total").body(), "$[*].windowStart");
        assertThat(starts.stream().map(Instant::parse).toList()).isSorted();

        // When the per-category endpoint the total replaced is asked
        HttpResponse<String> gone = get("/api/v1/reconciliation/category/books");

        // Then it is not found, as a problem detail
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(gone.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("application/problem+json"));
    }

    @Test
    void shouldBeHealthyAndCountPublishedReports() throws Exception {
        // Given an unmatched order, so that at least one report gets published
        shop.placeOrder(shop.customer("FR"), shop.product("garden", 100), 1, 100, "EUR", BASE.plus(WINDOW.multipliedBy(13)));

        // Then the service is up and, once a batch has published, counts reports by status
        HttpResponse<String> health = get("/actuator/health");
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"");
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(get("/actuator/prometheus").body())
                .containsPattern("streamfold_reconciliation_reports_published_total\\{[^}]*status=\"MISMATCH\""));
    }

    private ReconciliationReport awaitLatestReport(Instant window, ReconciliationStatus status) {
        return awaitLatestReport(window, report -> report.getStatus() == status);
    }

    /** The latest report of the window, once it satisfies {@code condition}. */
    private ReconciliationReport awaitLatestReport(Instant window, Predicate<ReconciliationReport> condition) {
        Topic<WindowKey, ReconciliationReport> reports = new Topics(new RegistrySerdeFactory(endpoints.registryUrl()), PREFIX)
                .reconciliationReports();
        WindowKey key = totalKey(window);
        try (TopicReader<WindowKey, ReconciliationReport> reader = new TopicReader<>(endpoints.bootstrapServers(),
                reports.name(), reports.keySerde().deserializer(), reports.valueSerde().deserializer())) {
            return await().atMost(TIMEOUT).until(() -> reader.poll().stream()
                    .filter(record -> key.equals(record.key()))
                    .map(ConsumerRecord::value)
                    .reduce((first, second) -> second)
                    .filter(condition)
                    .orElse(null), latest -> latest != null);
        }
    }

    /** The window's verdict as {@code GET /api/v1/reconciliation/total} shows it, once it has {@code status}. */
    private Map<String, Object> awaitVerdict(Instant window, ReconciliationStatus status) {
        return await().atMost(TIMEOUT).until(() -> {
            HttpResponse<String> response = get("/api/v1/reconciliation/total");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            List<Map<String, Object>> verdicts = JsonPath.read(response.body(), "$[?(@.windowStart == '" + window + "')]");
            return verdicts.size() == 1 && status.name().equals(verdicts.getFirst().get("status")) ? verdicts.getFirst() : null;
        }, verdict -> verdict != null);
    }

    private static long number(Map<String, Object> verdict, String field) {
        return ((Number) verdict.get(field)).longValue();
    }

    private static WindowKey totalKey(Instant window) {
        return new WindowKey(Dimension.TOTAL_VALUE, window);
    }

    /** The total of one window as the aggregation writes it on the live topic. */
    private static WindowAggregate aggregate(Instant window, WindowTotal total) {
        return WindowAggregate.newBuilder()
                .setDimension(Dimension.TOTAL.id())
                .setDimensionValue(Dimension.TOTAL_VALUE)
                .setWindowStart(window)
                .setWindowEnd(window.plus(WINDOW))
                .setOrderCount(total.orderCount())
                .setQuantity(total.quantity())
                .setRevenueMinor(total.revenueMinor())
                .build();
    }

    private static ProducerRecord<WindowKey, WindowAggregate> aggregateRecord(Instant window, WindowTotal total) {
        return new ProducerRecord<>(topics.aggregates(TOTAL).name(), totalKey(window), aggregate(window, total));
    }

    private static void send(ProducerRecord<WindowKey, WindowAggregate> record) throws Exception {
        Topic<WindowKey, WindowAggregate> aggregates = topics.aggregates(TOTAL);
        try (KafkaProducer<WindowKey, WindowAggregate> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.bootstrapServers()),
                aggregates.keySerde().serializer(), aggregates.valueSerde().serializer())) {
            producer.send(record).get();
        }
    }

    private static KafkaProducer<WindowKey, WindowAggregate> transactionalAggregateProducer() {
        Topic<WindowKey, WindowAggregate> aggregates = topics.aggregates(TOTAL);
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "aggregation-" + RUN),
                aggregates.keySerde().serializer(), aggregates.valueSerde().serializer());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
