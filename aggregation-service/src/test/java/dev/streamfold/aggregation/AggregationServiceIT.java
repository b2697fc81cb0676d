package dev.streamfold.aggregation;

import static dev.streamfold.aggregation.window.EnrichedOrders.changed;
import static dev.streamfold.aggregation.window.EnrichedOrders.databaseOrder;
import static dev.streamfold.aggregation.window.EnrichedOrders.order;
import static dev.streamfold.aggregation.window.EnrichedOrders.window;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamfold.aggregation.window.AggregationTopology;
import dev.streamfold.aggregation.window.EnrichedOrders;
import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.deadletter.DeadLetterHeaders;
import dev.streamfold.common.order.InvalidOrderException;
import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.common.serde.RegistrySerdeFactory;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.TopicSettings;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.localstack.LocalStack;
import dev.streamfold.schemas.EnrichedOrder;
import dev.streamfold.schemas.OrderOperation;
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AggregationServiceIT {

    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String PREFIX = "it-" + RUN + ".";
    private static final String APPLICATION_ID = "aggregation-it-" + RUN;
    /**
     * Every test of this class shares one running service, so all event times sit in two adjacent windows:
     * stream time then never passes a window's grace, whichever test runs first.
     */
    private static final Instant W1 = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(5));
    private static final Instant W2 = W1.plus(Duration.ofMinutes(1));
    private static final Instant W3 = W2.plus(Duration.ofMinutes(1));

    @LocalServerPort
    private int port;

    @DynamicPropertySource
    static void localStack(DynamicPropertyRegistry registry) {
        LocalStack stack = LocalStack.shared();
        registry.add("spring.kafka.bootstrap-servers", () -> stack.endpoints().bootstrapServers());
        registry.add("streamfold.registry.url", () -> stack.endpoints().registryUrl());
        registry.add("streamfold.topics.prefix", () -> PREFIX);
        registry.add("aggregation.application-id", () -> APPLICATION_ID);
        registry.add("aggregation.state-dir", () -> "target/kafka-streams/" + RUN);
    }

    /** What this service reads but does not write, created as its writer would create it. */
    @BeforeAll
    static void createTopicsWrittenUpstream() {
        Topics names = new Topics(AvroBinarySerde.factory(), PREFIX);
        LocalStack.shared().createTopics(List.of(names.ordersEnriched().newTopic(TopicSettings.singleBroker())));
    }

    @Test
    void shouldReportUpAndReadyOnceStarted() throws Exception {
        // When the health and readiness endpoints are called
        HttpResponse<String> health = get("/actuator/health");
        HttpResponse<String> readiness = get("/actuator/health/readiness");

        // Then the service is up and ready (readiness includes the Kafka Streams state)
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"");
        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(readiness.body()).contains("\"status\":\"UP\"");
    }

    @Test
    void shouldPublishExactCountsAndRevenueOnceDespiteARedeliveredEvent() {
        // Given orders of two categories over two windows, one of them delivered twice
        String books = "books-" + RUN;
        String games = "games-" + RUN;
        EnrichedOrder redelivered = order("e1-" + RUN, 1, books, 1_000, "EUR", W1.plusSeconds(5));
        List<EnrichedOrder> sent = List.of(
                redelivered,
                order("e2-" + RUN, 2, books, 250, "EUR", W1.plusSeconds(15)),
                order("e3-" + RUN, 3, games, 4_999, "USD", W1.plusSeconds(25)),
                order("e4-" + RUN, 4, games, 100, "EUR", W1.plusSeconds(35)),
                redelivered,
                order("e5-" + RUN, 1, books, 700, "EUR", W2.plusSeconds(10)));

        // When they are published to orders.enriched, keyed by customer id
        Topic<String, EnrichedOrder> input = topics().ordersEnriched();
        try (KafkaProducer<String, EnrichedOrder> producer = producer(input.valueSerde().serializer())) {
            // No record timestamp: it is the time of writing (the topic uses LogAppendTime); event time is in the payload.
            sent.forEach(order -> producer.send(new ProducerRecord<>(input.name(), Long.toString(order.getCustomerId()), order)));
        }

        // Then the latest committed aggregate of each window is exact
        Map<WindowKey, WindowAggregate> expected = Map.of(
                new WindowKey(books, W1), window(books, W1, W2, 2, Map.of("EUR", 1_250L)),
                new WindowKey(games, W1), window(games, W1, W2, 2, Map.of("USD", 4_999L, "EUR", 100L)),
                new WindowKey(books, W2), window(books, W2, W3, 1, Map.of("EUR", 700L)));
        awaitLatestAggregates(Set.of(books, games), expected);
        // And the re-delivery shows in the accounting counter
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(get("/actuator/prometheus").body())
                .containsPattern("streamfold_records_total\\{[^}]*outcome=\"duplicate\"[^}]*stage=\"" + PREFIX + "orders.enriched\"[^}]*}"));
    }

    @Test
    void shouldApplyUpdatesCancellationsAndDeletesOfOrdersByTheirVersions() {
        // Given database orders of W1: one whose amount is changed, one cancelled, one deleted, and a stale re-delivery
        String shoes = "shoes-" + RUN;
        EnrichedOrder repriced = databaseOrder(1_001, 1, 11, shoes, 1_000, "EUR", W1.plusSeconds(40));
        EnrichedOrder cancelled = databaseOrder(1_002, 1, 12, shoes, 500, "EUR", W1.plusSeconds(41));
        EnrichedOrder deleted = databaseOrder(1_003, 1, 13, shoes, 300, "USD", W1.plusSeconds(42));
        List<EnrichedOrder> sent = List.of(
                repriced, cancelled, deleted,
                changed(repriced, 2, OrderOperation.UPDATE, o -> o.setAmountMinor(1_250)),
                changed(cancelled, 2, OrderOperation.UPDATE, o -> o.setStatus("CANCELLED")),
                changed(deleted, 2, OrderOperation.DELETE, o -> o),
                repriced);

        // When they are published in that order, keyed by customer id
        Topic<String, EnrichedOrder> input = topics().ordersEnriched();
        try (KafkaProducer<String, EnrichedOrder> producer = producer(input.valueSerde().serializer())) {
            sent.forEach(order -> producer.send(new ProducerRecord<>(input.name(), Long.toString(order.getCustomerId()), order)));
        }

        // Then the window holds the repriced order only, with its new amount; the deleted order leaves no currency behind
        awaitLatestAggregates(Set.of(shoes), Map.of(
                new WindowKey(shoes, W1), window(shoes, W1, W2, 1, Map.of("EUR", 1_250L))));
    }

    @Test
    void shouldDeadLetterUnreadableAndInvalidOrdersAndKeepAggregating() {
        // Given a record that is not an Avro order, an order in a currency that does not exist, then a good order
        String toys = "toys-" + RUN;
        Topic<String, EnrichedOrder> input = topics().ordersEnriched();
        byte[] poison = "not an order".getBytes(StandardCharsets.UTF_8);
        EnrichedOrder invalid = EnrichedOrder.newBuilder(order("e7-" + RUN, 9, toys, 42, "EUR", W2.plusSeconds(21)))
                .setCurrency("eu1").build();
        try (KafkaProducer<String, byte[]> producer = producer(new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(input.name(), "9", poison));
        }
        try (KafkaProducer<String, EnrichedOrder> producer = producer(input.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(input.name(), "9", invalid));
            producer.send(new ProducerRecord<>(input.name(), "9", order("e6-" + RUN, 9, toys, 42, "EUR", W2.plusSeconds(20))));
        }

        // Then both are in orders.enriched.dlq with the dead-letter headers
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(input.deadLetterTopicName()));
            List<ConsumerRecord<byte[], byte[]>> deadLetters = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(500)).forEach(deadLetters::add);
                assertThat(deadLetters).anyMatch(record -> Arrays.equals(record.value(), poison));
                assertThat(deadLetters).anyMatch(record -> mentions(record, invalid.getEventId()));
            });
            ConsumerRecord<byte[], byte[]> unreadable = deadLetters.stream()
                    .filter(record -> Arrays.equals(record.value(), poison)).findFirst().orElseThrow();
            assertThat(DeadLetterHeaders.text(unreadable.headers(), DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(input.name());
            assertThat(DeadLetterHeaders.text(unreadable.headers(), DeadLetterHeaders.SERVICE)).isEqualTo(APPLICATION_ID);
            ConsumerRecord<byte[], byte[]> rejected = deadLetters.stream()
                    .filter(record -> mentions(record, invalid.getEventId())).findFirst().orElseThrow();
            assertThat(input.valueSerde().deserializer().deserialize(input.name(), rejected.value())).isEqualTo(invalid);
            assertThat(DeadLetterHeaders.text(rejected.headers(), DeadLetterHeaders.ERROR_CLASS))
                    .isEqualTo(InvalidOrderException.class.getName());
            assertThat(DeadLetterHeaders.text(rejected.headers(), DeadLetterHeaders.ERROR_MESSAGE)).contains("eu1");
        }
        // And the good order behind them was counted, the invalid one was not
        awaitLatestAggregates(Set.of(toys), Map.of(new WindowKey(toys, W2), window(toys, W2, W3, 1, Map.of("EUR", 42L))));
    }

    @Test
    void shouldCreateTheLateTopicAndADeadLetterTopicForEveryTopicItReadsAtStartUp() throws Exception {
        // When the service has started
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                LocalStack.shared().endpoints().bootstrapServers()))) {
            Set<String> names = admin.listTopics().names().get();

            // Then orders.late exists, and so do the dead-letter topics of orders.enriched and of the repartition topic
            assertThat(names).contains(
                    topics().ordersLate().name(),
                    topics().ordersEnriched().deadLetterTopicName(),
                    AggregationTopology.partialsRepartitionTopic(APPLICATION_ID) + ".dlq");
        }
    }

    private static boolean mentions(ConsumerRecord<byte[], byte[]> deadLetter, String eventId) {
        String message = DeadLetterHeaders.text(deadLetter.headers(), DeadLetterHeaders.ERROR_MESSAGE);
        return message != null && message.contains(eventId);
    }

    /** Reads aggregates.category as a read_committed consumer: only what the service's transactions committed. */
    private static void awaitLatestAggregates(Set<String> categories, Map<WindowKey, WindowAggregate> expected) {
        Topic<WindowKey, WindowAggregate> output = topics().aggregates(AggregateStream.live(Dimension.CATEGORY));
        try (KafkaConsumer<WindowKey, WindowAggregate> consumer = consumer(output.keySerde().deserializer(), output.valueSerde().deserializer())) {
            consumer.subscribe(List.of(output.name()));
            Map<WindowKey, WindowAggregate> latest = new HashMap<>();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(500)).forEach(record -> latest.put(record.key(), record.value()));
                assertThat(latest.entrySet().stream()
                        .filter(entry -> categories.contains(entry.getKey().getDimensionValue()))
                        .collect(Collectors.toMap(Map.Entry::getKey, entry -> EnrichedOrders.figures(entry.getValue()))))
                        .containsExactlyInAnyOrderEntriesOf(EnrichedOrders.figures(expected));
            });
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The same topic descriptors with registry serdes of the test's own, as any other producer or consumer would
     * have: a client closes its serdes, so none is shared with the service or with another client.
     */
    private static Topics topics() {
        return new Topics(new RegistrySerdeFactory(LocalStack.shared().endpoints().registryUrl()), PREFIX);
    }

    private static <V> KafkaProducer<String, V> producer(Serializer<V> valueSerializer) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.shared().endpoints().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), valueSerializer);
    }

    private static <K, V> KafkaConsumer<K, V> consumer(Deserializer<K> keys, Deserializer<V> values) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.shared().endpoints().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "aggregation-it-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                keys, values);
    }
}
