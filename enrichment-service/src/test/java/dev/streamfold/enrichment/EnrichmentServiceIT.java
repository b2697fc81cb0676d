package dev.streamfold.enrichment;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.streamfold.common.deadletter.DeadLetterHeaders;
import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.common.serde.RegistrySerdeFactory;
import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.streams.ManagedKafkaStreams;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.TopicSettings;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.enrichment.join.EnrichmentTopology;
import dev.streamfold.enrichment.join.MissingReferenceException;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The service on the real broker and registry, fed and read like any other client would. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EnrichmentServiceIT {

    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String PREFIX = "enrichment-it-" + RUN + ".";
    private static final String APPLICATION_ID = "enrichment-it-" + RUN;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Short, so the unknown customer's dead letter comes quickly; long enough to send a customer after its order. */
    private static final Duration MAX_REFERENCE_WAIT = Duration.ofSeconds(5);
    private static final Instant CUSTOMERS_UPDATED = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant ORDERS_PLACED = Instant.parse("2026-03-01T10:05:00Z");

    @DynamicPropertySource
    static void localStack(DynamicPropertyRegistry registry) {
        Endpoints endpoints = LocalStack.shared().endpoints();
        registry.add("spring.kafka.bootstrap-servers", endpoints::bootstrapServers);
        registry.add("streamfold.registry.url", endpoints::registryUrl);
        registry.add("streamfold.topics.prefix", () -> PREFIX);
        registry.add("enrichment.application-id", () -> APPLICATION_ID);
        registry.add("enrichment.state-dir", () -> "target/kafka-streams/" + APPLICATION_ID);
        registry.add("enrichment.max-reference-wait", MAX_REFERENCE_WAIT::toString);
    }

    /** What this service reads but does not write, created as its writer would create it. */
    @BeforeAll
    static void createTopicsWrittenUpstream() {
        Topics names = new Topics(AvroBinarySerde.factory(), PREFIX);
        LocalStack.shared().createTopics(List.of(names.orders().newTopic(TopicSettings.singleBroker()), names.customers().newTopic(TopicSettings.singleBroker()), names.products().newTopic(TopicSettings.singleBroker())));
    }

    @Autowired
    ManagedKafkaStreams streams;

    @Autowired
    RecordAccounting accounting;

    @LocalServerPort
    int port;

    @BeforeEach
    void awaitRunningStreams() {
        await().atMost(TIMEOUT).until(() -> streams.kafkaStreams().state() == KafkaStreams.State.RUNNING);
    }

    @Test
    void shouldEnrichOrdersWithTheirCustomerAndProduct() {
        // Given two customers and a product, published before the orders (record time = business time)
        Customer alice = customer(101, "alice@example.com", "DE", "GOLD");
        Customer bob = customer(102, "bob@example.org", "FR", "SILVER");
        Product espressoMachine = product(501, "Espresso machine", "kitchen");
        send(clientTopics().customers(), "101", alice, CUSTOMERS_UPDATED);
        send(clientTopics().customers(), "102", bob, CUSTOMERS_UPDATED);
        sendProductAndAwaitGlobalTable(espressoMachine);
        // When both customers order it
        Order alices = order("it-1", 9001, 101, 501);
        Order bobs = order("it-2", 9002, 102, 501);
        send(clientTopics().orders(), "101", alices, ORDERS_PLACED);
        send(clientTopics().orders(), "102", bobs, ORDERS_PLACED);
        // Then exactly those two enriched orders come out, keyed by customer id, e-mail masked
        List<ConsumerRecord<String, EnrichedOrder>> enriched = readUntil(clientTopics().ordersEnriched(),
                records -> assertThat(ordersOf(records, 101, 102)).hasSize(2));
        assertThat(ordersOf(enriched, 101, 102)).extracting(ConsumerRecord::key, ConsumerRecord::value)
                .containsExactlyInAnyOrder(
                        tuple("101", expected(alices, alice, espressoMachine, "a***@example.com")),
                        tuple("102", expected(bobs, bob, espressoMachine, "b***@example.org")));
    }

    @Test
    void shouldDeadLetterPoisonAndEnrichTheNextGoodOrder() {
        // Given a known customer and product
        Customer carol = customer(201, "carol@example.com", "IT", "GOLD");
        Product grinder = product(502, "Grinder", "kitchen");
        send(clientTopics().customers(), "201", carol, CUSTOMERS_UPDATED);
        sendProductAndAwaitGlobalTable(grinder);
        // When bytes that are not an Avro order arrive, followed by a good order on the same partition
        byte[] poison = "this is not an Avro order".getBytes(UTF_8);
        RecordMetadata poisonAt = sendRaw(clientTopics().orders().name(), "201".getBytes(UTF_8), poison);
        Order good = order("it-3", 9003, 201, 502);
        send(clientTopics().orders(), "201", good, ORDERS_PLACED);
        // Then the poison lands in orders.dlq byte for byte, with headers saying where it came from and why
        ConsumerRecord<byte[], byte[]> deadLetter = awaitDeadLetterFrom(poisonAt);
        assertThat(deadLetter.value()).isEqualTo(poison);
        assertThat(deadLetter.key()).isEqualTo("201".getBytes(UTF_8));
        assertThat(header(deadLetter, DeadLetterHeaders.SERVICE)).isEqualTo(APPLICATION_ID);
        assertThat(header(deadLetter, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(clientTopics().orders().name());
        assertThat(header(deadLetter, DeadLetterHeaders.ERROR_CLASS)).isNotBlank();
        assertThat(header(deadLetter, DeadLetterHeaders.ERROR_MESSAGE)).isNotBlank();
        assertThat(Instant.parse(header(deadLetter, DeadLetterHeaders.FAILED_AT))).isBefore(Instant.now());
        // And the good order behind it is enriched
        readUntil(clientTopics().ordersEnriched(), records -> assertThat(ordersOf(records, 201))
                .extracting(ConsumerRecord::value)
                .containsExactly(expected(good, carol, grinder, "c***@example.com")));
    }

    @Test
    void shouldDeadLetterAnOrderOfAnUnknownCustomerAfterTheMaximumWait() {
        // Given a product but no customer 301
        sendProductAndAwaitGlobalTable(product(503, "Kettle", "kitchen"));
        // When customer 301 orders, and never appears
        Order orphan = order("it-4", 9004, 301, 503);
        Instant sentAt = Instant.now();
        RecordMetadata orphanAt = send(clientTopics().orders(), "301", orphan, ORDERS_PLACED);
        // Then, once the order has waited the maximum time, it lands in orders.dlq saying which reference is missing
        ConsumerRecord<byte[], byte[]> deadLetter = awaitDeadLetterFrom(orphanAt);
        assertThat(clientTopics().orders().valueSerde().deserializer().deserialize(deadLetter.topic(), deadLetter.value()))
                .isEqualTo(orphan);
        assertThat(deadLetter.key()).isEqualTo("301".getBytes(UTF_8));
        assertThat(header(deadLetter, DeadLetterHeaders.ERROR_CLASS)).isEqualTo(MissingReferenceException.class.getName());
        assertThat(header(deadLetter, DeadLetterHeaders.ERROR_MESSAGE)).contains("customer 301").doesNotContain("product");
        assertThat(header(deadLetter, DeadLetterHeaders.SERVICE)).isEqualTo(APPLICATION_ID);
        assertThat(header(deadLetter, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(clientTopics().orders().name());
        assertThat(Instant.parse(header(deadLetter, DeadLetterHeaders.FAILED_AT)))
                .isAfterOrEqualTo(sentAt.plus(MAX_REFERENCE_WAIT));
        await().atMost(TIMEOUT).ignoreExceptions().until(() -> !isAwaitingReferences(orphan));
    }

    @Test
    void shouldEnrichAnOrderPublishedBeforeItsCustomerOnceTheCustomerArrives() {
        // Given a product, and an order of customer 401 who has not been published yet
        Product teapot = product(504, "Teapot", "kitchen");
        sendProductAndAwaitGlobalTable(teapot);
        Order early = order("it-5", 9005, 401, 504);
        send(clientTopics().orders(), "401", early, ORDERS_PLACED);
        await().atMost(TIMEOUT).ignoreExceptions().until(() -> isAwaitingReferences(early));
        // When the customer arrives, within the maximum wait
        Customer dave = customer(401, "dave@example.com", "ES", "SILVER");
        send(clientTopics().customers(), "401", dave, CUSTOMERS_UPDATED);
        // Then the order is enriched with that customer, and waits no more
        readUntil(clientTopics().ordersEnriched(), records -> assertThat(ordersOf(records, 401))
                .extracting(ConsumerRecord::key, ConsumerRecord::value)
                .containsExactly(tuple("401", expected(early, dave, teapot, "d***@example.com"))));
        await().atMost(TIMEOUT).ignoreExceptions().until(() -> !isAwaitingReferences(early));
    }

    @Test
    void shouldReportUpAliveAndReadyWhileTheStreamsRun() throws Exception {
        // When health, liveness and readiness are asked while the streams run
        HttpClient http = HttpClient.newHttpClient();
        for (String path : List.of("/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness")) {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            // Then each says UP
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(response.body()).as(path).contains("\"status\":\"UP\"");
        }
        // ...and readiness is the stream client's own RUNNING state, not only the application's
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).contains("enrichmentStreamsReadiness", "RUNNING");
    }

    /**
     * The global store is kept by its own thread with no time synchronisation against the orders, so the test waits
     * until the catalogue has taken the product before ordering it (a versioned store is not queryable by key through
     * interactive queries v1, and global stores not through v2: the catalogue's own accounting says it).
     */
    private void sendProductAndAwaitGlobalTable(Product product) {
        String stage = clientTopics().products().name();
        double taken = accounting.count(stage, RecordAccounting.Outcome.FORWARDED);
        send(clientTopics().products(), Long.toString(product.getId()), product, CUSTOMERS_UPDATED);
        await().atMost(TIMEOUT).until(() -> accounting.count(stage, RecordAccounting.Outcome.FORWARDED) > taken);
    }

    private boolean isAwaitingReferences(Order order) {
        try (KeyValueIterator<Bytes, byte[]> waiting = streams.kafkaStreams()
                .store(StoreQueryParameters.fromNameAndType(EnrichmentTopology.AWAITING_REFERENCES_STORE,
                        QueryableStoreTypes.<Bytes, byte[]>keyValueStore()))
                .all()) {
            while (waiting.hasNext()) {
                if (EnrichmentTopology.awaitingEventId(waiting.next().key).equals(order.getEventId())) {
                    return true;
                }
            }
            return false;
        }
    }

    private ConsumerRecord<byte[], byte[]> awaitDeadLetterFrom(RecordMetadata source) {
        List<ConsumerRecord<byte[], byte[]>> deadLetters = read(clientTopics().orders().deadLetterTopicName(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                records -> assertThat(records).anyMatch(record -> isFrom(record, source)));
        return deadLetters.stream().filter(record -> isFrom(record, source)).findFirst().orElseThrow();
    }

    private static boolean isFrom(ConsumerRecord<byte[], byte[]> deadLetter, RecordMetadata source) {
        return Integer.toString(source.partition()).equals(header(deadLetter, DeadLetterHeaders.SOURCE_PARTITION))
                && Long.toString(source.offset()).equals(header(deadLetter, DeadLetterHeaders.SOURCE_OFFSET));
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        return DeadLetterHeaders.text(record.headers(), name);
    }

    private static List<ConsumerRecord<String, EnrichedOrder>> ordersOf(List<ConsumerRecord<String, EnrichedOrder>> records,
            long... customerIds) {
        List<Long> wanted = Arrays.stream(customerIds).boxed().toList();
        return records.stream().filter(record -> wanted.contains(record.value().getCustomerId())).toList();
    }

    /** Client serdes of their own: a producer or consumer closes its serdes, which must not touch the service's. */
    private static Topics clientTopics() {
        return new Topics(new RegistrySerdeFactory(LocalStack.shared().endpoints().registryUrl()), PREFIX);
    }

    private static <K, V> RecordMetadata send(Topic<K, V> topic, K key, V value, Instant timestamp) {
        return send(topic.name(), topic.keySerde().serializer(), topic.valueSerde().serializer(), key, value, timestamp);
    }

    private static RecordMetadata sendRaw(String topic, byte[] key, byte[] value) {
        return send(topic, new ByteArraySerializer(), new ByteArraySerializer(), key, value, ORDERS_PLACED);
    }

    private static <K, V> RecordMetadata send(String topic, Serializer<K> keys, Serializer<V> values, K key, V value,
            Instant timestamp) {
        try (KafkaProducer<K, V> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.shared().endpoints().bootstrapServers()), keys, values)) {
            return producer.send(new ProducerRecord<>(topic, null, timestamp.toEpochMilli(), key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot send to " + topic, e);
        }
    }

    private static <K, V> List<ConsumerRecord<K, V>> readUntil(Topic<K, V> topic, Consumer<List<ConsumerRecord<K, V>>> assertion) {
        return read(topic.name(), topic.keySerde().deserializer(), topic.valueSerde().deserializer(), assertion);
    }

    private static <K, V> List<ConsumerRecord<K, V>> read(String topic, Deserializer<K> keys, Deserializer<V> values,
            Consumer<List<ConsumerRecord<K, V>>> assertion) {
        List<ConsumerRecord<K, V>> records = new ArrayList<>();
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.shared().endpoints().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                // Only what the service's transactions committed
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), keys, values)) {
            consumer.subscribe(List.of(topic));
            await().atMost(TIMEOUT).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                assertion.accept(records);
            });
        }
        return records;
    }

    private static Customer customer(long id, String email, String country, String tier) {
        return Customer.newBuilder().setId(id).setName("Customer " + id).setEmail(email).setCountry(country).setTier(tier)
                .setUpdatedAt(CUSTOMERS_UPDATED).build();
    }

    private static Product product(long id, String name, String category) {
        return Product.newBuilder().setId(id).setName(name).setCategory(category).setPriceMinor(4_999)
                .setUpdatedAt(CUSTOMERS_UPDATED).build();
    }

    private static Order order(String eventId, long orderId, long customerId, long productId) {
        return Order.newBuilder().setEventId(eventId).setOrderId(orderId).setCustomerId(customerId).setProductId(productId)
                .setQuantity(1).setAmountMinor(4_999).setCurrency("EUR").setStatus("PLACED").setEventTime(ORDERS_PLACED)
                .setSource(OrderSource.DIRECT).build();
    }

    private static EnrichedOrder expected(Order order, Customer customer, Product product, String maskedEmail) {
        return EnrichedOrder.newBuilder().setEventId(order.getEventId()).setOrderId(order.getOrderId())
                .setCustomerId(order.getCustomerId()).setProductId(order.getProductId()).setQuantity(order.getQuantity())
                .setAmountMinor(order.getAmountMinor()).setCurrency(order.getCurrency()).setStatus(order.getStatus())
                .setEventTime(order.getEventTime()).setSource(order.getSource()).setCustomerCountry(customer.getCountry())
                .setCustomerTier(customer.getTier()).setCustomerEmailMasked(maskedEmail).setProductName(product.getName())
                .setProductCategory(product.getCategory()).build();
    }
}
