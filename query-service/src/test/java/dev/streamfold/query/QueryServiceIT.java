package dev.streamfold.query;

import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Dimension;
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

/** The service as deployed: real broker, real registry, the REST API over HTTP. */
@ExtendWith(LocalStackExtension.class)
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class QueryServiceIT {

    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String PREFIX = "query-it-" + RUN + ".";
    private static final String APPLICATION_ID = "query-it-" + RUN;
    private static final Duration MINUTE = Duration.ofMinutes(1);
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
    }

    /** What this service reads but does not write, created as its writer would create it. */
    @BeforeAll
    static void createTopicsWrittenUpstream() {
        Topics names = new Topics(AvroBinarySerde.factory(), PREFIX);
        LocalStack.shared().createTopics(List.of(names.aggregates(AggregateStream.live(Dimension.CATEGORY)).newTopic(TopicSettings.singleBroker())));
    }

    @Test
    void shouldServeTheExactTotalsOfTheAggregatesOnTheTopic() throws Exception {
        // Given committed aggregates: a window and its later running total, a second window in range,
        // and windows that must not show up (other category, before the range, at its exclusive end)
        Instant t10_00 = Instant.parse("2026-11-21T10:00:00Z");
        Instant t10_01 = Instant.parse("2026-11-21T10:01:00Z");
        Instant t10_02 = Instant.parse("2026-11-21T10:02:00Z");
        publishInTransaction(List.of(
                aggregate("books", t10_00, 1, Map.of("EUR", 1500L)),
                aggregate("books", t10_00, 3, Map.of("EUR", 4500L)),
                aggregate("books", t10_01, 2, Map.of("EUR", 1000L, "USD", 250L)),
                aggregate("games", t10_00, 7, Map.of("EUR", 100L)),
                aggregate("books", t10_00.minus(MINUTE), 9, Map.of("EUR", 9L)),
                aggregate("books", t10_02, 5, Map.of("EUR", 5L))));

        // When the books windows from 10:00 to 10:02 are queried
        // Then the answer carries exactly the latest totals of the two windows in range
        JsonNode expected = json.readTree("""
                {"dimension":"category","value":"books","from":"2026-11-21T10:00:00Z","to":"2026-11-21T10:02:00Z",
                 "windows":[
                   {"windowStart":"2026-11-21T10:00:00Z","windowEnd":"2026-11-21T10:01:00Z","orderCount":3,"revenueMinor":{"EUR":4500}},
                   {"windowStart":"2026-11-21T10:01:00Z","windowEnd":"2026-11-21T10:02:00Z","orderCount":2,"revenueMinor":{"EUR":1000,"USD":250}}]}
                """);
        await().atMost(PATIENCE).untilAsserted(() -> {
            HttpResponse<String> response = get("/api/v1/aggregates/category/books?from=2026-11-21T10:00:00Z&to=2026-11-21T10:02:00Z");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(json.readTree(response.body())).isEqualTo(expected);
        });
    }

    @Test
    void shouldDeadLetterAPoisonAggregateAndKeepServingTheNextOne() throws Exception {
        // Given a record that is not Avro, followed by a good aggregate
        Topic<WindowKey, WindowAggregate> aggregates = registryTopics().aggregates(AggregateStream.live(Dimension.CATEGORY));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerSettings(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(aggregates.name(), bytes("poison-key"), bytes("not avro"))).get();
        }
        Instant window = Instant.parse("2026-11-21T12:00:00Z");
        publishInTransaction(List.of(aggregate("toys", window, 1, Map.of("EUR", 999L))));

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
    void shouldAnswerAProblemDetailForAnInvertedRange() throws Exception {
        // When 'from' is after 'to'
        HttpResponse<String> response = get("/api/v1/aggregates/category/books?from=2026-11-21T11:00:00Z&to=2026-11-21T10:00:00Z");

        // Then a 400 RFC 9457 problem detail explains why
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = json.readTree(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(400);
        assertThat(problem.get("detail").asString()).contains("must be before");
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

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** As the aggregation service publishes: with the registry serdes, inside a Kafka transaction. */
    private void publishInTransaction(List<WindowAggregate> windows) {
        Topic<WindowKey, WindowAggregate> topic = registryTopics().aggregates(AggregateStream.live(Dimension.CATEGORY));
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

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
