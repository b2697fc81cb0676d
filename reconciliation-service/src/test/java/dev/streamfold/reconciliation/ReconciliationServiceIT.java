package dev.streamfold.reconciliation;

import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Dimension;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamfold.common.deadletter.DeadLetterHeaders;
import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.common.serde.RegistrySerdeFactory;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.TopicSettings;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.localstack.Endpoints;
import dev.streamfold.localstack.LocalStack;
import dev.streamfold.localstack.LocalStackExtension;
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
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
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
 * The service against real Kafka, registry and PostgreSQL: orders in the database, aggregates on the topic as the
 * aggregation would write them, verdicts read back from the report topic.
 */
@ExtendWith(LocalStackExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ReconciliationServiceIT {

    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String PREFIX = "recon-it-" + RUN + ".";
    private static final String APPLICATION_ID = "reconciliation-it-" + RUN;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration WINDOW = Duration.ofMinutes(1);
    /** Windows well in the past: settled after the test's one-second settle delay, and inside the lookback. */
    private static final Instant BASE = Instant.ofEpochMilli(Math.floorDiv(
            Instant.now().minus(Duration.ofMinutes(30)).toEpochMilli(), WINDOW.toMillis()) * WINDOW.toMillis());
    private static final AtomicLong IDS = new AtomicLong();

    private static ShopTables shop;
    private static Endpoints endpoints;
    private static Topics topics;

    @LocalServerPort
    private int port;

    @DynamicPropertySource
    static void localStack(DynamicPropertyRegistry registry) {
        Endpoints endpoints = LocalStack.shared().endpoints();
        String jdbcUrl = LocalStack.shared().createDatabase("reconciliation_" + RUN);
        shop = ShopTables.create(jdbcUrl, endpoints.postgresUser(), endpoints.postgresPassword());
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
        LocalStack.shared().createTopics(List.of(names.aggregates(AggregateStream.live(Dimension.CATEGORY)).newTopic(TopicSettings.singleBroker())));
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
    void shouldPublishAMatchWhenTheCommittedAggregateAgreesWithTheDatabase() throws Exception {
        // Given three orders of one category in window W, in two currencies, a cancelled one (which counts for nothing,
        // by the shared revenue rule) and one just after W
        String category = "books-" + RUN;
        Instant window = BASE;
        long product = productIn(category);
        long customer = customer();
        shop.insertOrder(customer, product, 1_000, "EUR", window.plusSeconds(5));
        shop.insertOrder(customer, product, 7_777, "EUR", "CANCELLED", window.plusSeconds(6));
        shop.insertOrder(customer, product, 250, "EUR", window.plusSeconds(20));
        shop.insertOrder(customer, product, 500, "USD", window.plus(WINDOW).minusMillis(1));
        shop.insertOrder(customer, product, 9_999, "EUR", window.plus(WINDOW));

        // When the aggregation commits the matching aggregate for W, then aborts a wrong overwrite of it
        try (KafkaProducer<WindowKey, WindowAggregate> producer = transactionalAggregateProducer()) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(aggregateRecord(category, window, 3, Map.of("EUR", 1_250L, "USD", 500L)));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(aggregateRecord(category, window, 99, Map.of("EUR", 1L)));
            producer.flush();
            producer.abortTransaction();
        }

        // Then W is reported as a match, with SQL's numbers on both sides
        ReconciliationReport report = awaitLatestReport(category, window, ReconciliationStatus.MATCH);
        assertThat(report.getExpectedOrderCount()).isEqualTo(3);
        assertThat(report.getActualOrderCount()).isEqualTo(3);
        assertThat(report.getExpectedRevenueMinor()).isEqualTo(Map.of("EUR", 1_250L, "USD", 500L));
        assertThat(report.getActualRevenueMinor()).isEqualTo(Map.of("EUR", 1_250L, "USD", 500L));
        assertThat(report.getWindowEnd()).isEqualTo(window.plus(WINDOW));
        assertThat(report.getDimension()).isEqualTo("category");

        // And the REST API shows the verdict this instance published
        HttpResponse<String> response = get("/api/v1/reconciliation/category/" + category);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"windowStart\":\"" + window + "\"", "\"status\":\"MATCH\"");
    }

    @Test
    void shouldReportAMismatchWhileTheAggregateLagsAndAMatchOnceItCatchesUp() throws Exception {
        // Given two EUR orders in window W
        String category = "games-" + RUN;
        Instant window = BASE.plus(WINDOW.multipliedBy(2));
        long product = productIn(category);
        long customer = customer();
        shop.insertOrder(customer, product, 700, "EUR", window.plusSeconds(1));
        shop.insertOrder(customer, product, 300, "EUR", window.plusSeconds(2));

        // When the aggregate on the topic has counted only the first of them
        send(aggregateRecord(category, window, 1, Map.of("EUR", 700L)));

        // Then W is reported as a mismatch, showing both sides (a batch may first have seen no aggregate at all)
        ReconciliationReport mismatch = awaitLatestReport(category, window,
                report -> report.getStatus() == ReconciliationStatus.MISMATCH && report.getActualOrderCount() == 1);
        assertThat(mismatch.getExpectedOrderCount()).isEqualTo(2);
        assertThat(mismatch.getExpectedRevenueMinor()).isEqualTo(Map.of("EUR", 1_000L));
        assertThat(mismatch.getActualRevenueMinor()).isEqualTo(Map.of("EUR", 700L));

        // When the aggregate catches up
        send(aggregateRecord(category, window, 2, Map.of("EUR", 1_000L)));

        // Then the changed verdict is published: W now matches
        awaitLatestReport(category, window, ReconciliationStatus.MATCH);
    }

    @Test
    void shouldDeadLetterUnreadableAggregatesAndKeepReconciling() throws Exception {
        // Given an order in window W
        String category = "garden-" + RUN;
        Instant window = BASE.plus(WINDOW.multipliedBy(4));
        shop.insertOrder(customer(), productIn(category), 4_200, "EUR", window.plusSeconds(30));
        Topic<WindowKey, WindowAggregate> aggregates = topics.aggregates(AggregateStream.live(Dimension.CATEGORY));
        byte[] readableKey = aggregates.keySerde().serializer().serialize(aggregates.name(), new WindowKey(category, window));
        byte[] garbageKey = "not a window key".getBytes(UTF_8);
        byte[] garbageValue = "not an aggregate".getBytes(UTF_8);

        // When a record that is garbage through and through, and one with a readable key but a garbage value,
        // land on the aggregate topic ahead of the good aggregate of W, on W's partition
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(aggregates.name(), 0, garbageKey, garbageValue)).get();
            producer.send(new ProducerRecord<>(aggregates.name(), 0, readableKey, garbageValue)).get();
        }
        send(new ProducerRecord<>(aggregates.name(), 0, new WindowKey(category, window),
                aggregate(category, window, 1, Map.of("EUR", 4_200L))));

        // Then both poison records are in the dead-letter topic, byte for byte, with Streamfold's headers
        try (TopicReader<byte[], byte[]> deadLetters = new TopicReader<>(endpoints.bootstrapServers(),
                aggregates.deadLetterTopicName(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(deadLetters.poll()).hasSize(2));
            List<ConsumerRecord<byte[], byte[]>> records = deadLetters.poll();
            assertThat(records).extracting(ConsumerRecord::key).containsExactly(garbageKey, readableKey);
            assertThat(records).extracting(ConsumerRecord::value).containsExactly(garbageValue, garbageValue);
            assertThat(records).allSatisfy(record -> {
                assertThat(DeadLetterHeaders.text(record.headers(), DeadLetterHeaders.SERVICE)).isEqualTo(APPLICATION_ID);
                assertThat(DeadLetterHeaders.text(record.headers(), DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(aggregates.name());
                assertThat(DeadLetterHeaders.text(record.headers(), DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo("0");
                assertThat(DeadLetterHeaders.text(record.headers(), DeadLetterHeaders.SOURCE_OFFSET)).isNotBlank();
                assertThat(DeadLetterHeaders.text(record.headers(), DeadLetterHeaders.ERROR_CLASS)).isNotBlank();
                assertThat(DeadLetterHeaders.text(record.headers(), DeadLetterHeaders.FAILED_AT)).isNotBlank();
            });
        }

        // And the good aggregate after them is still reconciled
        awaitLatestReport(category, window, ReconciliationStatus.MATCH);
    }

    @Test
    void shouldRunABatchOnDemandAndRejectBadInput() throws Exception {
        // Given an order in a window the aggregation never produced
        String category = "toys-" + RUN;
        Instant window = BASE.plus(WINDOW.multipliedBy(6));
        shop.insertOrder(customer(), productIn(category), 1_500, "EUR", window.plusSeconds(10));

        // When a batch is triggered through the API
        HttpResponse<String> run = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri("/api/v1/reconciliation/runs"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

        // Then it answers with a summary that counts the unmatched window
        assertThat(run.statusCode()).as(run.body()).isEqualTo(200);
        assertThat(run.body()).contains("\"windowsChecked\":", "\"matches\":", "\"mismatches\":");
        assertThat(get("/api/v1/reconciliation/category/" + category).body())
                .contains("\"windowStart\":\"" + window + "\"", "\"status\":\"MISMATCH\"", "\"expectedOrderCount\":1",
                        "\"actualOrderCount\":0");

        // When a category name is absurdly long
        HttpResponse<String> bad = get("/api/v1/reconciliation/category/" + "x".repeat(201));

        // Then it is refused with a problem detail
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("application/problem+json"));
    }

    @Test
    void shouldBeHealthyAndCountPublishedReports() throws Exception {
        // Given an unmatched order, so that at least one report gets published
        shop.insertOrder(customer(), productIn("tools-" + RUN), 100, "EUR", BASE.plus(WINDOW.multipliedBy(8)));

        // Then the service is up and, once a batch has published, counts reports by status
        HttpResponse<String> health = get("/actuator/health");
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"");
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(get("/actuator/prometheus").body())
                .containsPattern("streamfold_reconciliation_reports_published_total\\{[^}]*status=\"MISMATCH\""));
    }

    private ReconciliationReport awaitLatestReport(String category, Instant window, ReconciliationStatus status) {
        return awaitLatestReport(category, window, report -> report.getStatus() == status);
    }

    /** The latest report of the window, once it satisfies {@code condition}. */
    private ReconciliationReport awaitLatestReport(String category, Instant window, Predicate<ReconciliationReport> condition) {
        Topic<WindowKey, ReconciliationReport> reports = new Topics(new RegistrySerdeFactory(endpoints.registryUrl()), PREFIX)
                .reconciliationReports();
        WindowKey key = new WindowKey(category, window);
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

    private static long customer() {
        long id = IDS.incrementAndGet();
        shop.insertCustomer(id);
        return id;
    }

    private static long productIn(String category) {
        long id = IDS.incrementAndGet();
        shop.insertProduct(id, category);
        return id;
    }

    private static WindowAggregate aggregate(String category, Instant window, long orders, Map<String, Long> revenue) {
        return WindowAggregate.newBuilder()
                .setDimension("category")
                .setDimensionValue(category)
                .setWindowStart(window)
                .setWindowEnd(window.plus(WINDOW))
                .setOrderCount(orders)
                .setRevenueMinor(revenue)
                .build();
    }

    private static ProducerRecord<WindowKey, WindowAggregate> aggregateRecord(String category, Instant window, long orders,
            Map<String, Long> revenue) {
        return new ProducerRecord<>(topics.aggregates(AggregateStream.live(Dimension.CATEGORY)).name(), new WindowKey(category, window),
                aggregate(category, window, orders, revenue));
    }

    private static void send(ProducerRecord<WindowKey, WindowAggregate> record) throws Exception {
        Topic<WindowKey, WindowAggregate> aggregates = topics.aggregates(AggregateStream.live(Dimension.CATEGORY));
        try (KafkaProducer<WindowKey, WindowAggregate> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.bootstrapServers()),
                aggregates.keySerde().serializer(), aggregates.valueSerde().serializer())) {
            producer.send(record).get();
        }
    }

    private static KafkaProducer<WindowKey, WindowAggregate> transactionalAggregateProducer() {
        Topic<WindowKey, WindowAggregate> aggregates = topics.aggregates(AggregateStream.live(Dimension.CATEGORY));
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
