package dev.streamfold.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.aggregate.Emission;
import dev.streamfold.common.aggregate.WindowKind;

import dev.streamfold.common.deadletter.DeadLetterHeaders;
import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.common.serde.RegistrySerdeFactory;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.TopicSettings;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.localstack.Endpoints;
import dev.streamfold.localstack.LocalStack;
import dev.streamfold.localstack.LocalStackExtension;
import dev.streamfold.schemas.CustomerLifetime;
import dev.streamfold.schemas.DistinctEstimate;
import dev.streamfold.schemas.ValueQuantiles;
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The service as deployed: real broker, real registry, the REST API over HTTP. It serves two dimensions, category and
 * total, the total also in hopping windows, and customers' lifetime totals.
 */
@ExtendWith(LocalStackExtension.class)
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class QueryServiceIT {

    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String PREFIX = "query-it-" + RUN + ".";
    private static final String APPLICATION_ID = "query-it-" + RUN;
    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final AggregateStream CATEGORY = AggregateStream.live(Dimension.CATEGORY);
    private static final AggregateStream TOTAL = AggregateStream.live(Dimension.TOTAL);
    private static final AggregateStream TOTAL_HOPPING = new AggregateStream(Dimension.TOTAL, WindowKind.HOPPING,
            Emission.LIVE);
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();

    @LocalServerPort
    private int port;

    @DynamicPropertySource
    static void localStack(DynamicPropertyRegistry registry) {
        Endpoints endpoints = LocalStack.shared().endpoints();
        registry.add("spring.kafka.bootstrap-servers", endpoints::bootstrapServers);
        registry.add("streamfold.registry.url", endpoints::registryUrl);
        registry.add("streamfold.topics.prefix", () -> PREFIX);
        registry.add("query.application-id", () -> APPLICATION_ID);
        registry.add("query.state-dir", () -> Path.of("target", "kafka-streams", APPLICATION_ID).toAbsolutePath().toString());
        registry.add("streamfold.aggregates.dimensions", () -> "total,category");
        registry.add("streamfold.aggregates.hopping-dimensions", () -> "total");
        registry.add("streamfold.aggregates.customer-lifetime", () -> "true");
    }

    /** What this service reads but does not write, created as its writer would create it. */
    @BeforeAll
    static void createTopicsWrittenUpstream() {
        Topics names = new Topics(AvroBinarySerde.factory(), PREFIX);
        TopicSettings settings = TopicSettings.singleBroker();
        LocalStack.shared().createTopics(List.of(names.aggregates(CATEGORY).newTopic(settings),
                names.aggregates(TOTAL).newTopic(settings), names.aggregates(TOTAL_HOPPING).newTopic(settings),
                names.customerLifetimes().newTopic(settings)));
    }

    @Test
    void shouldServeTheExactFiguresOfBothDimensionsFromTheirTopics() throws Exception {
        // Given committed category aggregates: a window and its later running figures, a second window in range,
        // and windows that must not show up (other category, before the range, at its exclusive end);
        // and the totals of the same two windows
        Instant t10_00 = Instant.parse("2026-11-21T10:00:00Z");
        Instant t10_01 = Instant.parse("2026-11-21T10:01:00Z");
        Instant t10_02 = Instant.parse("2026-11-21T10:02:00Z");
        publishInTransaction(CATEGORY, List.of(
                aggregate(CATEGORY, "books", t10_00, 1, Map.of("EUR", 1500L)),
                sketched(aggregate(CATEGORY, "books", t10_00, 3, Map.of("EUR", 4500L))),
                aggregate(CATEGORY, "books", t10_01, 2, Map.of("EUR", 1000L, "USD", 250L)),
                aggregate(CATEGORY, "games", t10_00, 7, Map.of("EUR", 100L)),
                aggregate(CATEGORY, "books", t10_00.minus(MINUTE), 9, Map.of("EUR", 9L)),
                aggregate(CATEGORY, "books", t10_02, 5, Map.of("EUR", 5L))));
        publishInTransaction(TOTAL, List.of(
                aggregate(TOTAL, Dimension.TOTAL_VALUE, t10_00, 10, Map.of("EUR", 4600L)),
                aggregate(TOTAL, Dimension.TOTAL_VALUE, t10_01, 2, Map.of("EUR", 1000L, "USD", 250L))));

        // When the books windows and the totals from 10:00 to 10:02 are queried
        // Then each answer carries exactly the latest figures of the two windows in range, closed long ago
        JsonNode books = json.readTree("""
                {"dimension":"category","value":"books","windowKind":"tumbling",
                 "from":"2026-11-21T10:00:00Z","to":"2026-11-21T10:02:00Z",
                 "windows":[
                   {"windowStart":"2026-11-21T10:00:00Z","windowEnd":"2026-11-21T10:01:00Z","state":"CLOSED",
                    "orderCount":3,"revenueMinor":{"EUR":4500},"quantity":4,
                    "minOrderMinor":{"EUR":1000},"maxOrderMinor":{"EUR":2000},
                    "distinctCustomers":{"estimate":2,"lowerBound":2,"upperBound":3},
                    "orderValueQuantiles":{"EUR":{"p50":1500,"p95":2000,"p99":2000,"rankError":0.0133,"orderCount":3}}},
                   {"windowStart":"2026-11-21T10:01:00Z","windowEnd":"2026-11-21T10:02:00Z","state":"CLOSED",
                    "orderCount":2,"revenueMinor":{"EUR":1000,"USD":250},"quantity":0,"minOrderMinor":{},"maxOrderMinor":{},
                    "distinctCustomers":null,"orderValueQuantiles":{}}]}
                """);
        JsonNode totals = json.readTree("""
                {"dimension":"total","value":"all","windowKind":"tumbling",
                 "from":"2026-11-21T10:00:00Z","to":"2026-11-21T10:02:00Z",
                 "windows":[
                   {"windowStart":"2026-11-21T10:00:00Z","windowEnd":"2026-11-21T10:01:00Z","state":"CLOSED",
                    "orderCount":10,"revenueMinor":{"EUR":4600},"quantity":0,"minOrderMinor":{},"maxOrderMinor":{},
                    "distinctCustomers":null,"orderValueQuantiles":{}},
                   {"windowStart":"2026-11-21T10:01:00Z","windowEnd":"2026-11-21T10:02:00Z","state":"CLOSED",
                    "orderCount":2,"revenueMinor":{"EUR":1000,"USD":250},"quantity":0,"minOrderMinor":{},"maxOrderMinor":{},
                    "distinctCustomers":null,"orderValueQuantiles":{}}]}
                """);
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(windows("/api/v1/aggregates/category/books?from=2026-11-21T10:00:00Z&to=2026-11-21T10:02:00Z"))
                    .isEqualTo(books);
            assertThat(windows("/api/v1/aggregates/total/all?from=2026-11-21T10:00:00Z&to=2026-11-21T10:02:00Z"))
                    .isEqualTo(totals);
        });
    }

    @Test
    void shouldServeHoppingWindowsApartFromTheTumblingOnes() throws Exception {
        // Given a five-minute hopping total and a one-minute total starting at the same instant
        Instant t14_00 = Instant.parse("2026-11-21T14:00:00Z");
        publishInTransaction(TOTAL_HOPPING, List.of(WindowAggregate.newBuilder(
                aggregate(TOTAL_HOPPING, Dimension.TOTAL_VALUE, t14_00, 8, Map.of("EUR", 800L)))
                .setWindowEnd(t14_00.plus(Duration.ofMinutes(5))).build()));
        publishInTransaction(TOTAL, List.of(aggregate(TOTAL, Dimension.TOTAL_VALUE, t14_00, 1, Map.of("EUR", 100L))));

        // When both kinds of windows are queried for that start
        String range = "?from=2026-11-21T14:00:00Z&to=2026-11-21T14:01:00Z";
        // Then each answers its own window
        await().atMost(PATIENCE).untilAsserted(() -> {
            JsonNode hopping = windows("/api/v1/aggregates/total/all" + range + "&windows=hopping");
            assertThat(hopping.get("windowKind").asString()).isEqualTo("hopping");
            assertThat(hopping.get("windows").size()).isEqualTo(1);
            assertThat(hopping.get("windows").get(0).get("windowEnd").asString()).isEqualTo("2026-11-21T14:05:00Z");
            assertThat(hopping.get("windows").get(0).get("orderCount").asLong()).isEqualTo(8L);
            JsonNode tumbling = windows("/api/v1/aggregates/total/all" + range);
            assertThat(tumbling.get("windows").size()).isEqualTo(1);
            assertThat(tumbling.get("windows").get(0).get("windowEnd").asString()).isEqualTo("2026-11-21T14:01:00Z");
            assertThat(tumbling.get("windows").get(0).get("orderCount").asLong()).isEqualTo(1L);
        });
    }

    @Test
    void shouldServeACustomersLifetimeTotalsAndA404ForACustomerWithout() throws Exception {
        // Given customer 42's lifetime totals, updated once
        Topic<String, CustomerLifetime> lifetimes = registryTopics().customerLifetimes();
        Map<String, Object> settings = producerSettings();
        settings.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "query-it-producer-" + UUID.randomUUID());
        try (KafkaProducer<String, CustomerLifetime> producer = new KafkaProducer<>(settings,
                lifetimes.keySerde().serializer(), lifetimes.valueSerde().serializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(lifetimes.name(), "42", lifetime(1, Map.of("EUR", 1500L))));
            producer.send(new ProducerRecord<>(lifetimes.name(), "42", lifetime(3, Map.of("EUR", 4500L, "USD", 99L))));
            producer.commitTransaction();
        }

        // When they are asked for
        // Then the latest totals come back exactly
        JsonNode expected = json.readTree("""
                {"customerId":"42","orderCount":3,"quantity":6,"revenueMinor":{"EUR":4500,"USD":99},
                 "firstOrderAt":"2026-11-01T09:00:00Z","lastOrderAt":"2026-11-21T10:00:00Z"}
                """);
        await().atMost(PATIENCE).untilAsserted(() -> {
            HttpResponse<String> response = get("/api/v1/customers/42/lifetime");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(json.readTree(response.body())).isEqualTo(expected);
        });
        // And a customer without totals gets a 404 problem detail
        HttpResponse<String> none = get("/api/v1/customers/43/lifetime");
        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(none.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
    }

    @Test
    void shouldDeadLetterAPoisonAggregateAndKeepServingTheNextOne() throws Exception {
        // Given a record that is not Avro, followed by a good aggregate
        Topic<WindowKey, WindowAggregate> aggregates = registryTopics().aggregates(CATEGORY);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerSettings(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(aggregates.name(), bytes("poison-key"), bytes("not avro"))).get();
        }
        Instant window = Instant.parse("2026-11-21T12:00:00Z");
        publishInTransaction(CATEGORY, List.of(aggregate(CATEGORY, "toys", window, 1, Map.of("EUR", 999L))));

        // When the service has processed both
        // Then the poison record sits in the dead-letter topic with its origin, and the good one is served
        await().atMost(PATIENCE).untilAsserted(() -> {
            HttpResponse<String> response = get("/api/v1/aggregates/category/toys?from=2026-11-21T12:00:00Z&to=2026-11-21T12:01:00Z");
            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode windows = json.readTree(response.body()).get("windows");
            assertThat(windows.size()).isEqualTo(1);
            assertThat(windows.get(0).get("orderCount").asLong()).isEqualTo(1L);
            assertThat(windows.get(0).get("revenueMinor").get("EUR").asLong()).isEqualTo(999L);
        });
        List<ConsumerRecord<byte[], byte[]>> deadLetters = readAll(aggregates.deadLetterTopicName(), 1);
        assertThat(deadLetters).hasSize(1);
        ConsumerRecord<byte[], byte[]> deadLetter = deadLetters.getFirst();
        assertThat(new String(deadLetter.value(), StandardCharsets.UTF_8)).isEqualTo("not avro");
        assertThat(DeadLetterHeaders.text(deadLetter.headers(), DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(aggregates.name());
        assertThat(DeadLetterHeaders.text(deadLetter.headers(), DeadLetterHeaders.SERVICE)).isEqualTo(APPLICATION_ID);
    }

    @Test
    void shouldAnswerAProblemDetailForAQueryItCannotAnswer() throws Exception {
        for (String[] query : new String[][] {
                {"/api/v1/aggregates/category/books?from=2026-11-21T11:00:00Z&to=2026-11-21T10:00:00Z", "must be before"},
                {"/api/v1/aggregates/country/DE", "the dimension country is not aggregated here"},
                {"/api/v1/aggregates/category/books?windows=hopping", "the dimension category has no hopping windows"},
                {"/api/v1/customers/alice/lifetime", "must be a positive decimal customer id"}}) {
            // When the range is inverted, the dimension or its hopping windows are not configured, the id no number
            HttpResponse<String> response = get(query[0]);

            // Then a 400 RFC 9457 problem detail explains why
            assertThat(response.statusCode()).as(query[0]).isEqualTo(400);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            JsonNode problem = json.readTree(response.body());
            assertThat(problem.get("status").asInt()).isEqualTo(400);
            assertThat(problem.get("detail").asString()).as(query[0]).contains(query[1]);
        }
    }

    @Test
    void shouldReportUpOnTheHealthEndpointOnceStreamsIsRunning() {
        // When the service has joined its consumer group
        // Then health and the readiness probe (which includes Kafka Streams) say UP
        await().atMost(PATIENCE).untilAsserted(() -> {
            for (String path : List.of("/actuator/health", "/actuator/health/readiness")) {
                HttpResponse<String> response = get(path);
                assertThat(response.statusCode()).as(path).isEqualTo(200);
                assertThat(json.readTree(response.body()).get("status").asString()).as(path).isEqualTo("UP");
            }
        });
    }

    /** A 200 answer of a window query, without {@code asOf} (the service's clock at the time of the request). */
    private JsonNode windows(String pathAndQuery) throws Exception {
        HttpResponse<String> response = get(pathAndQuery);
        assertThat(response.statusCode()).as(pathAndQuery).isEqualTo(200);
        ObjectNode body = (ObjectNode) json.readTree(response.body());
        assertThat(body.get("asOf").asString()).isNotBlank();
        body.remove("asOf");
        return body;
    }

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** As the aggregation service publishes: with the registry serdes, inside a Kafka transaction. */
    private void publishInTransaction(AggregateStream stream, List<WindowAggregate> windows) {
        Topic<WindowKey, WindowAggregate> topic = registryTopics().aggregates(stream);
        Map<String, Object> settings = producerSettings();
        settings.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "query-it-producer-" + UUID.randomUUID());
        try (KafkaProducer<WindowKey, WindowAggregate> producer = new KafkaProducer<>(settings,
                topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (WindowAggregate window : windows) {
                WindowKey key = WindowKey.newBuilder()
                        .setDimensionValue(window.getDimensionValue())
                        .setWindowStart(window.getWindowStart())
                        .build();
                producer.send(new ProducerRecord<>(topic.name(), null, window.getWindowEnd().toEpochMilli(), key, window));
            }
            producer.commitTransaction();
        }
    }

    /** Serdes of our own, so closing the producer cannot close the ones the service under test is using. */
    private static Topics registryTopics() {
        return new Topics(new RegistrySerdeFactory(LocalStack.shared().endpoints().registryUrl()), PREFIX);
    }

    private static Map<String, Object> producerSettings() {
        Map<String, Object> settings = new HashMap<>();
        settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.shared().endpoints().bootstrapServers());
        return settings;
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int atLeast) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.shared().endpoints().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "query-it-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(PATIENCE).until(() -> {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
                return records.size() >= atLeast;
            });
        }
        return records;
    }

    private static WindowAggregate aggregate(AggregateStream stream, String value, Instant windowStart, long orders,
            Map<String, Long> revenue) {
        return WindowAggregate.newBuilder()
                .setDimension(stream.dimension().id())
                .setDimensionValue(value)
                .setWindowStart(windowStart)
                .setWindowEnd(windowStart.plus(MINUTE))
                .setOrderCount(orders)
                .setRevenueMinor(revenue)
                .build();
    }

    /** With the figures beyond count and revenue: quantity, min/max, distinct customers, quantiles. */
    private static WindowAggregate sketched(WindowAggregate aggregate) {
        return WindowAggregate.newBuilder(aggregate)
                .setQuantity(4)
                .setMinOrderMinor(Map.of("EUR", 1000L))
                .setMaxOrderMinor(Map.of("EUR", 2000L))
                .setDistinctCustomers(DistinctEstimate.newBuilder().setEstimate(2).setLowerBound(2).setUpperBound(3).build())
                .setOrderValueQuantiles(Map.of("EUR", ValueQuantiles.newBuilder()
                        .setP50(1500).setP95(2000).setP99(2000).setRankError(0.0133).setOrderCount(3).build()))
                .build();
    }

    private static CustomerLifetime lifetime(long orders, Map<String, Long> revenue) {
        return CustomerLifetime.newBuilder()
                .setCustomerId("42")
                .setOrderCount(orders)
                .setQuantity(orders * 2)
                .setRevenueMinor(revenue)
                .setFirstOrderAt(Instant.parse("2026-11-01T09:00:00Z"))
                .setLastOrderAt(Instant.parse("2026-11-21T10:00:00Z"))
                .build();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
