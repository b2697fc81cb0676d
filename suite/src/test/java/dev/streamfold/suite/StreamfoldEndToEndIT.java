package dev.streamfold.suite;

import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Dimension;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.jayway.jsonpath.JsonPath;
import dev.streamfold.common.serde.RegistrySerdeFactory;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.common.tracing.RecordTracing;
import dev.streamfold.localstack.Endpoints;
import dev.streamfold.localstack.LocalStack;
import dev.streamfold.localstack.LocalStackExtension;
import dev.streamfold.localstack.Ports;
import dev.streamfold.schemas.EnrichedOrder;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.OrderSource;
import dev.streamfold.schemas.ReconciliationReport;
import dev.streamfold.schemas.ReconciliationStatus;
import dev.streamfold.schemas.WindowKey;
import dev.streamfold.schemas.db.ShopDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The whole chain as users run it: PostgreSQL → ingest → enrichment → aggregation → query REST, plus orders
 * published straight to Kafka, plus reconciliation against SQL. The five services run as separate processes
 * from their built jars.
 */
@ExtendWith(LocalStackExtension.class)
class StreamfoldEndToEndIT {

    private static final Duration PIPELINE_TIMEOUT = Duration.ofMinutes(3);
    // Windows well in the past: settled for reconciliation, and in event-time order for the aggregation.
    private static final Instant W1 = Instant.now().minus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.MINUTES);
    private static final Instant W2 = W1.plus(Duration.ofMinutes(1));

    private static RunningSuite suite;
    private static SuiteSettings settings;
    private static ShopDatabase shop;
    private static Endpoints endpoints;
    private final HttpClient http = HttpClient.newHttpClient();

    @RegisterExtension
    static final TestWatcher SERVICE_LOGS_ON_FAILURE = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (suite != null) {
                System.out.println("Service logs of the failed run:" + suite.tails());
            }
        }
    };

    @BeforeAll
    static void startSuite(LocalStack stack) {
        String run = "e2e" + UUID.randomUUID().toString().substring(0, 6);
        endpoints = stack.endpoints();
        SuiteSettings.Database database = SuiteSettings.Database.fromJdbcUrl(stack.createDatabase(run),
                endpoints.postgresUser(), endpoints.postgresPassword());
        shop = new ShopDatabase(database.jdbcUrl(), database.user(), database.password()).createSchema();
        // Customers and products existed before the orders placed in W1 and W2.
        Instant listed = W1.minus(Duration.ofHours(1));
        shop.insertCustomer(1, "Ada", "ada@example.com", "DE", "gold", listed);
        shop.insertCustomer(2, "Brian", "brian@example.com", "FR", "standard", listed);
        shop.insertCustomer(3, "Chen", "chen@example.com", "NL", "standard", listed);
        shop.insertProduct(11, "Dune", "books", 1200, listed);
        shop.insertProduct(12, "Emma", "books", 800, listed);
        shop.insertProduct(21, "Go board", "games", 5000, listed);

        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        for (Service service : Service.values()) {
            ports.put(service, Ports.free());
        }
        settings = new SuiteSettings(endpoints.bootstrapServers(), endpoints.registryUrl(), database, run + ".", run,
                Path.of("target", "e2e", run).toAbsolutePath(), ports, Duration.ofSeconds(2));
        suite = RunningSuite.start(settings);
    }

    @AfterAll
    static void stopSuite() {
        if (suite != null) {
            suite.close();
        }
    }

    @Test
    void shouldServeExactAggregatesOfCapturedAndPublishedOrdersAndReconcileThem() {
        // Given orders placed in the database in window W1, in two currencies and two categories
        shop.insertOrder(1, 11, 1, 1200, "EUR", W1.plusSeconds(5));
        shop.insertOrder(2, 12, 2, 1600, "EUR", W1.plusSeconds(10));
        shop.insertOrder(3, 11, 1, 1200, "EUR", W1.plusSeconds(15));
        shop.insertOrder(1, 11, 1, 1000, "USD", W1.plusSeconds(20));
        shop.insertOrder(2, 21, 1, 5000, "EUR", W1.plusSeconds(25));

        // Then the query API serves W1's exact counts and sums, per currency
        awaitWindow("books", W1, 4, Map.of("EUR", 4000, "USD", 1000));
        awaitWindow("games", W1, 1, Map.of("EUR", 5000));

        // When an application publishes orders for W2 straight to Kafka, one of them twice (same event id)
        publish(directOrder("shop-app-1", 3, 12, 800, W2.plusSeconds(5)),
                directOrder("shop-app-2", 1, 12, 1600, W2.plusSeconds(8)),
                directOrder("shop-app-1", 3, 12, 800, W2.plusSeconds(5)));

        // Then W2 counts each event once
        awaitWindow("books", W2, 2, Map.of("EUR", 2400));

        // And reconciliation finds W1's total (every order of the window) equal to SQL over the source tables
        awaitReport(Dimension.TOTAL_VALUE, W1, ReconciliationStatus.MATCH);

        // And each captured order's journey is one trace: the context ingest started is continued on its enriched
        // record and on the window totals that orders changed
        assertOneTracePerJourney();

        // And each stage measured the orders' end-to-end latency, on both clocks after ingest
        Map<Service, String> stages = Map.of(Service.INGEST, "ingest", Service.ENRICHMENT, "enrichment",
                Service.AGGREGATION, "aggregation", Service.QUERY, "query");
        stages.forEach((service, stage) -> await().atMost(PIPELINE_TIMEOUT).untilAsserted(() -> {
            String metrics = suite.metrics(service);
            assertThat(SuiteClient.sum(metrics, "streamfold_stage_latency_seconds_count", Map.of("stage", stage, "clock", "event")))
                    .as("%s: event-time latency samples", stage).isPositive();
            if (service != Service.INGEST) {
                assertThat(SuiteClient.sum(metrics, "streamfold_stage_latency_seconds_count",
                        Map.of("stage", stage, "clock", "ingest"))).as("%s: ingest-time latency samples", stage).isPositive();
            }
        }));
    }

    private static void assertOneTracePerJourney() {
        try (SuiteClient client = new SuiteClient(settings)) {
            Topics topics = client.topics();
            Map<String, String> captured = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> record : client.readAll(topics.orders().name())) {
                Order order = topics.orders().valueSerde().deserializer().deserialize(record.topic(), record.value());
                RecordTracing.traceId(record.headers()).ifPresent(trace -> captured.put(order.getEventId(), trace));
            }
            assertThat(captured).as("orders captured by ingest, each with a trace").hasSizeGreaterThanOrEqualTo(5);
            Map<String, String> enriched = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> record : client.readAll(topics.ordersEnriched().name())) {
                EnrichedOrder order = topics.ordersEnriched().valueSerde().deserializer().deserialize(record.topic(), record.value());
                RecordTracing.traceId(record.headers()).ifPresent(trace -> enriched.put(order.getEventId(), trace));
            }
            assertThat(enriched).containsAllEntriesOf(captured);
            assertThat(client.readAll(topics.aggregates(AggregateStream.live(Dimension.CATEGORY)).name()))
                    .map(record -> RecordTracing.traceId(record.headers()).orElse("none"))
                    .containsAnyElementsOf(captured.values());
        }
    }

    private void awaitWindow(String category, Instant windowStart, int orderCount, Map<String, Integer> revenue) {
        String url = settings.baseUrl(Service.QUERY) + "/api/v1/aggregates/category/" + category
                + "?from=" + W1.minus(Duration.ofMinutes(1)) + "&to=" + W2.plus(Duration.ofMinutes(2));
        await().atMost(PIPELINE_TIMEOUT).pollInterval(Duration.ofMillis(500))
                .failFast("a service died", () -> !allAlive())
                .untilAsserted(() -> {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                    List<Map<String, Object>> windows = JsonPath.read(response.body(),
                            "$.windows[?(@.windowStart == '" + windowStart + "')]");
                    assertThat(windows).as(response.body()).hasSize(1);
                    assertThat(windows.getFirst().get("orderCount")).isEqualTo(orderCount);
                    assertThat(windows.getFirst().get("revenueMinor")).isEqualTo(revenue);
                    assertThat(windows.getFirst().get("windowEnd")).isEqualTo(windowStart.plus(Duration.ofMinutes(1)).toString());
                });
    }

    private void awaitReport(String dimensionValue, Instant windowStart, ReconciliationStatus status) {
        Topic<WindowKey, ReconciliationReport> reports = freshTopics().reconciliationReports();
        WindowKey key = new WindowKey(dimensionValue, windowStart);
        try (KafkaConsumer<WindowKey, ReconciliationReport> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "e2e-reports-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                reports.keySerde().deserializer(), reports.valueSerde().deserializer())) {
            consumer.subscribe(List.of(reports.name()));
            List<ReconciliationReport> seen = new ArrayList<>();
            await().atMost(PIPELINE_TIMEOUT).failFast("a service died", () -> !allAlive()).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(500)).forEach(record -> {
                    if (key.equals(record.key())) {
                        seen.add(record.value());
                    }
                });
                assertThat(seen).as("reports for %s", key).isNotEmpty();
                assertThat(seen.getLast().getStatus()).as("latest report %s", seen.getLast()).isEqualTo(status);
            });
        }
    }

    private static Order directOrder(String eventId, long customerId, long productId, long amountMinor, Instant eventTime) {
        return Order.newBuilder()
                .setEventId(eventId)
                .setOrderId(Math.abs(eventId.hashCode()))
                .setCustomerId(customerId)
                .setProductId(productId)
                .setQuantity(1)
                .setAmountMinor(amountMinor)
                .setCurrency("EUR")
                .setStatus("PLACED")
                .setEventTime(eventTime)
                .setSource(OrderSource.DIRECT)
                .build();
    }

    /** As an application would: keyed by customer id (the co-partitioning contract), timestamp = event time. */
    private static void publish(Order... orders) {
        Topic<String, Order> topic = freshTopics().orders();
        try (KafkaProducer<String, Order> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            for (Order order : orders) {
                producer.send(new ProducerRecord<>(topic.name(), null, order.getEventTime().toEpochMilli(),
                        Long.toString(order.getCustomerId()), order)).get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("publishing failed", e);
        }
    }

    /** Kafka clients close the serdes they are given: each client gets descriptors of its own. */
    private static Topics freshTopics() {
        return new Topics(new RegistrySerdeFactory(endpoints.registryUrl()), settings.topicPrefix());
    }

    private static boolean allAlive() {
        return suite.allAlive();
    }
}
