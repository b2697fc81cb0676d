package dev.streamfold.enrichment;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.deadletter.DeadLetterHeaders;
import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.common.serde.RegistrySerdeFactory;
import dev.streamfold.common.streams.ManagedKafkaStreams;
import dev.streamfold.common.topic.TopicSettings;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.localstack.Endpoints;
import dev.streamfold.localstack.LocalStack;
import dev.streamfold.schemas.Customer;
import dev.streamfold.schemas.EnrichedOrder;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.OrderSource;
import dev.streamfold.schemas.Product;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A new instance (no local state) of a service whose products topic already holds the catalogue: the global store is
 * rebuilt by re-running the catalogue over the topic before the stream threads start. On Kafka Streams 4.2 that
 * re-run wrote to the versioned store before it was open, and every product went to the dead-letter topic
 * ("Store product-versions is currently closed"); fixed in 4.3 (KAFKA-20257).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProductCatalogueFreshStartIT {

    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String PREFIX = "catalogue-it-" + RUN + ".";
    private static final String APPLICATION_ID = "catalogue-it-" + RUN;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Instant LISTED = Instant.parse("2025-06-01T08:00:00Z");
    private static final Instant ORDERED = Instant.parse("2026-03-01T10:05:00Z");
    private static final List<Product> CATALOGUE = List.of(product(601, "Atlas", "books"), product(602, "Chess set", "games"),
            product(603, "Tea towel", "kitchen"));

    @DynamicPropertySource
    static void localStack(DynamicPropertyRegistry registry) {
        Endpoints endpoints = LocalStack.shared().endpoints();
        registry.add("spring.kafka.bootstrap-servers", endpoints::bootstrapServers);
        registry.add("streamfold.registry.url", endpoints::registryUrl);
        registry.add("streamfold.topics.prefix", () -> PREFIX);
        registry.add("enrichment.application-id", () -> APPLICATION_ID);
        registry.add("enrichment.state-dir", () -> "target/kafka-streams/" + APPLICATION_ID);
    }

    /** Before the service starts: the catalogue as ingest left it, with one record nobody can read among it. */
    @BeforeAll
    static void publishTheCatalogueBeforeTheServiceStarts() {
        Topics names = new Topics(AvroBinarySerde.factory(), PREFIX);
        LocalStack.shared().createTopics(List.of(names.orders().newTopic(TopicSettings.singleBroker()),
                names.customers().newTopic(TopicSettings.singleBroker()), names.products().newTopic(TopicSettings.singleBroker())));
        Topics topics = clientTopics();
        for (Product product : CATALOGUE.subList(0, 2)) {
            send(topics.products().name(), Long.toString(product.getId()).getBytes(UTF_8),
                    topics.products().valueSerde().serializer().serialize(topics.products().name(), product));
        }
        send(topics.products().name(), "699".getBytes(UTF_8), "{\"id\":699}".getBytes(UTF_8));
        Product last = CATALOGUE.getLast();
        send(topics.products().name(), Long.toString(last.getId()).getBytes(UTF_8),
                topics.products().valueSerde().serializer().serialize(topics.products().name(), last));
    }

    @Autowired
    ManagedKafkaStreams streams;

    @Autowired
    RecordAccounting accounting;

    @LocalServerPort
    int port;

    @Test
    @org.junit.jupiter.api.Order(1)
    void shouldRebuildTheCatalogueFromTheProductsTopicAndEnrichOrdersOfEveryProduct() {
        // Given the service started on a products topic that already held three products and one unreadable record
        await().atMost(TIMEOUT).until(() -> streams.kafkaStreams().state() == KafkaStreams.State.RUNNING);
        // Then the catalogue took the three products, and only the unreadable record is dead-lettered
        String productsTopic = clientTopics().products().name();
        assertThat(accounting.count(productsTopic, RecordAccounting.Outcome.FORWARDED)).isEqualTo(CATALOGUE.size());
        List<ConsumerRecord<byte[], byte[]>> deadLetters = read(clientTopics().products().deadLetterTopicName(),
                new ByteArrayDeserializer(), records -> assertThat(records).isNotEmpty());
        assertThat(deadLetters).extracting(record -> DeadLetterHeaders.text(record.headers(), DeadLetterHeaders.SOURCE_OFFSET))
                .containsOnly("2");
        // When a customer orders each product
        Topics topics = clientTopics();
        send(topics.customers().name(), "701".getBytes(UTF_8), topics.customers().valueSerde().serializer()
                .serialize(topics.customers().name(), Customer.newBuilder().setId(701).setName("Eve").setEmail("eve@example.com")
                        .setCountry("PT").setTier("GOLD").setUpdatedAt(LISTED).build()));
        for (Product product : CATALOGUE) {
            Order order = Order.newBuilder().setEventId("catalogue-" + product.getId()).setOrderId(product.getId() + 1000)
                    .setCustomerId(701).setProductId(product.getId()).setQuantity(1).setAmountMinor(1_500).setCurrency("EUR")
                    .setStatus("PLACED").setEventTime(ORDERED).setSource(OrderSource.DIRECT).build();
            send(topics.orders().name(), "701".getBytes(UTF_8), topics.orders().valueSerde().serializer()
                    .serialize(topics.orders().name(), order));
        }
        // Then every order is enriched with its product's category from the rebuilt catalogue
        Deserializer<EnrichedOrder> enriched = topics.ordersEnriched().valueSerde().deserializer();
        List<ConsumerRecord<byte[], byte[]>> out = read(topics.ordersEnriched().name(), new ByteArrayDeserializer(),
                records -> assertThat(records).hasSize(CATALOGUE.size()));
        assertThat(out).extracting(record -> enriched.deserialize(record.topic(), record.value()).getProductCategory())
                .containsExactlyInAnyOrder("books", "games", "kitchen");
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void shouldBeNeitherReadyNorAliveOnceTheStreamsClientStopsUnasked() throws Exception {
        // Given the service ready and alive while its client runs
        await().atMost(TIMEOUT).until(() -> streams.kafkaStreams().state() == KafkaStreams.State.RUNNING);
        assertThat(status("/actuator/health/readiness")).isEqualTo(200);
        assertThat(status("/actuator/health/liveness")).isEqualTo(200);
        // When the Kafka Streams client stops without the application asking (as after a fatal error)
        streams.kafkaStreams().close(Duration.ofSeconds(30));
        // Then readiness goes DOWN at once, and liveness too: only a restart of the service helps now
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(status("/actuator/health/readiness")).isEqualTo(503);
            assertThat(status("/actuator/health/liveness")).isEqualTo(503);
        });
    }

    private int status(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static Topics clientTopics() {
        return new Topics(new RegistrySerdeFactory(LocalStack.shared().endpoints().registryUrl()), PREFIX);
    }

    private static void send(String topic, byte[] key, byte[] value) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.shared().endpoints().bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot send to " + topic, e);
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(String topic, Deserializer<byte[]> values,
            java.util.function.Consumer<List<ConsumerRecord<byte[], byte[]>>> assertion) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.shared().endpoints().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), values)) {
            consumer.subscribe(List.of(topic));
            await().atMost(TIMEOUT).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                assertion.accept(records);
            });
        }
        return records;
    }

    private static Product product(long id, String name, String category) {
        return Product.newBuilder().setId(id).setName(name).setCategory(category).setPriceMinor(1_500).setUpdatedAt(LISTED)
                .build();
    }
}
