package dev.streamfold.ingest.capture;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.streamfold.common.deadletter.DeadLetterHeaders;
import dev.streamfold.common.serde.RegistrySerdeFactory;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.localstack.LocalStack;
import dev.streamfold.localstack.LocalStackExtension;
import dev.streamfold.schemas.Customer;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.OrderSource;
import dev.streamfold.schemas.Product;
import dev.streamfold.schemas.db.ShopDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The service against real PostgreSQL, Kafka and registry: rows written before it starts arrive through the initial
 * snapshot, rows written while it runs through streaming. One database, slot, publication and topic prefix of its own.
 * The engine is shared by the tests, so each test works on customers of its own; the restart test runs last because
 * re-delivery after a restart is allowed (at-least-once) and would blur the exact assertions of the others.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@ExtendWith(LocalStackExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IngestServiceIT {

    private static final String RUN = "ingest_it_" + UUID.randomUUID().toString().substring(0, 8);
    private static final String PREFIX = RUN + ".";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private static final Instant T0 = Instant.parse("2024-05-01T10:00:00.123Z");
    private static final Instant T1 = Instant.parse("2024-05-01T11:00:00.456Z");
    private static final Instant T2 = Instant.parse("2024-05-01T12:00:00.789Z");

    private static ShopDatabase shop;
    private static long snapshotOrderId;

    @LocalServerPort
    private int port;

    @Autowired
    private ChangeCaptureEngine engine;

    @Autowired
    private MeterRegistry meters;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        LocalStack stack = LocalStack.shared();
        shop = new ShopDatabase(stack.createDatabase(RUN), stack.endpoints().postgresUser(), "").createSchema();
        // Runs before the context, so before the engine: these rows can only arrive through the initial snapshot.
        shop.insertCustomer(1, "Ada", "ada@example.com", "DE", "gold", T0);
        shop.insertCustomer(2, "Grace", "grace@example.com", "US", "silver", T0.plusSeconds(1));
        shop.insertProduct(100, "Kettle", "kitchen", 2_500, T0);
        shop.insertProduct(101, "Lamp", "living", 4_000, T0);
        snapshotOrderId = shop.insertOrder(1, 100, 2, 5_000, "EUR", T0.plusSeconds(10));

        registry.add("spring.kafka.bootstrap-servers", () -> stack.endpoints().bootstrapServers());
        registry.add("streamfold.registry.url", () -> stack.endpoints().registryUrl());
        registry.add("streamfold.topics.prefix", () -> PREFIX);
        registry.add("streamfold.topics.replication-factor", () -> "1");
        registry.add("ingest.database.host", shop::host);
        registry.add("ingest.database.port", shop::port);
        registry.add("ingest.database.name", () -> RUN);
        registry.add("ingest.database.user", shop::user);
        registry.add("ingest.slot-name", () -> RUN);
        registry.add("ingest.publication-name", () -> RUN);
    }

    @BeforeEach
    void captureIsRunning() {
        await().atMost(TIMEOUT).until(this::healthy);
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void shouldPublishSnapshotAndStreamedRowsAsAvroRecordsAtTheirBusinessTime() {
        // Given the rows written before the start, and while it runs: new rows, an update, a delete, an order update
        shop.insertCustomer(3, "Linus", "linus@example.com", "FI", "bronze", T1);
        shop.insertProduct(102, "Desk", "office", 15_000, T1);
        shop.updateCustomerTier(2, "gold", T1.plusSeconds(1));
        long secondOrder = shop.insertOrder(2, 101, 1, 4_000, "EUR", T1.plusSeconds(5));
        long thirdOrder = shop.insertOrder(3, 102, 1, 15_000, "USD", T1.plusSeconds(6));
        shop.updateOrderStatus(secondOrder, "SHIPPED");
        shop.insertCustomer(4, "Temp", "temp@example.com", "NL", "bronze", T1.plusSeconds(2));
        shop.deleteCustomer(4);
        // Same customer, so same partition, after the order update: once it is read, anything the update produced would be too.
        long fourthOrder = shop.insertOrder(2, 100, 3, 7_500, "EUR", T1.plusSeconds(7));

        // When the service has published them
        Topics topics = freshTopics();
        Map<String, List<ConsumerRecord<String, Customer>>> customers;
        Map<String, List<ConsumerRecord<String, Order>>> orders;
        List<ConsumerRecord<String, Product>> products;
        try (var customerReader = TopicReader.of(bootstrapServers(), topics.customers());
             var productReader = TopicReader.of(bootstrapServers(), topics.products());
             var orderReader = TopicReader.of(bootstrapServers(), topics.orders())) {
            customers = await().atMost(TIMEOUT).until(() -> byKey(customerReader.poll(), Set.of("1", "2", "3", "4")),
                    seen -> seen.getOrDefault("4", List.of()).size() >= 2 && seen.getOrDefault("2", List.of()).size() >= 2);
            products = await().atMost(TIMEOUT).until(productReader::poll, seen -> seen.size() >= 3);
            orders = await().atMost(TIMEOUT).until(() -> byKey(orderReader.poll(), Set.of("1", "2", "3")),
                    seen -> seen.getOrDefault("2", List.of()).stream().anyMatch(r -> r.value().getOrderId() == fourthOrder));
        }

        // Then customers: latest rows by customer id, timestamped with updated_at, the deleted one ending in a tombstone
        assertThat(valuesAndTimestamps(customers.get("1"))).containsExactly(
                Map.entry(new Customer(1L, "Ada", "ada@example.com", "DE", "gold", T0), T0.toEpochMilli()));
        assertThat(valuesAndTimestamps(customers.get("2"))).containsExactly(
                Map.entry(new Customer(2L, "Grace", "grace@example.com", "US", "silver", T0.plusSeconds(1)), T0.plusSeconds(1).toEpochMilli()),
                Map.entry(new Customer(2L, "Grace", "grace@example.com", "US", "gold", T1.plusSeconds(1)), T1.plusSeconds(1).toEpochMilli()));
        assertThat(valuesAndTimestamps(customers.get("3"))).containsExactly(
                Map.entry(new Customer(3L, "Linus", "linus@example.com", "FI", "bronze", T1), T1.toEpochMilli()));
        assertThat(customers.get("4")).extracting(ConsumerRecord::value).containsExactly(
                new Customer(4L, "Temp", "temp@example.com", "NL", "bronze", T1.plusSeconds(2)), null);

        // And products by product id
        assertThat(products).extracting(ConsumerRecord::key, ConsumerRecord::value, ConsumerRecord::timestamp).containsExactly(
                tuple("100", new Product(100L, "Kettle", "kitchen", 2_500L, T0), T0.toEpochMilli()),
                tuple("101", new Product(101L, "Lamp", "living", 4_000L, T0), T0.toEpochMilli()),
                tuple("102", new Product(102L, "Desk", "office", 15_000L, T1), T1.toEpochMilli()));

        // And orders: only new rows (the status update is not an order), keyed by customer, at created_at, with LSN-based ids
        assertThat(orderViews(orders.get("1"))).containsExactly(
                new OrderView(snapshotOrderId, 1, 100, 2, 5_000, "EUR", T0.plusSeconds(10)));
        assertThat(orderViews(orders.get("2"))).containsExactly(
                new OrderView(secondOrder, 2, 101, 1, 4_000, "EUR", T1.plusSeconds(5)),
                new OrderView(fourthOrder, 2, 100, 3, 7_500, "EUR", T1.plusSeconds(7)));
        assertThat(orderViews(orders.get("3"))).containsExactly(
                new OrderView(thirdOrder, 3, 102, 1, 15_000, "USD", T1.plusSeconds(6)));
        orders.values().stream().flatMap(List::stream).forEach(record -> {
            assertThat(record.value().getEventId()).matches("pg:[0-9]+:" + record.value().getOrderId());
            assertThat(record.value().getStatus()).isEqualTo("PLACED");
            assertThat(record.value().getSource()).isEqualTo(OrderSource.DATABASE);
        });
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void shouldDeadLetterAnUnmappableOrderAndStillPublishTheNextOne() {
        // Given a customer and a product of this test
        shop.insertCustomer(10, "Edsger", "edsger@example.com", "NL", "gold", T2);
        shop.insertProduct(110, "Chair", "office", 9_000, T2);

        // When an order with a currency that is not an ISO 4217 code is inserted, then a good one
        long badOrder = shop.insertOrder(10, 110, 1, 9_000, "eu1", T2.plusSeconds(1));
        long goodOrder = shop.insertOrder(10, 110, 2, 18_000, "EUR", T2.plusSeconds(2));

        // Then the bad one is in orders.dlq, as JSON, with the dead-letter headers
        Topics topics = freshTopics();
        try (var deadLetters = TopicReader.raw(bootstrapServers(), topics.orders().deadLetterTopicName());
             var orders = TopicReader.of(bootstrapServers(), topics.orders())) {
            ConsumerRecord<byte[], byte[]> deadLetter = await().atMost(TIMEOUT).until(
                    () -> deadLetters.poll().stream().filter(r -> new String(r.value(), UTF_8).contains("\"id\":" + badOrder + ",")).findFirst(),
                    Optional::isPresent).orElseThrow();
            assertThat(new String(deadLetter.value(), UTF_8)).contains("\"currency\":\"eu1\"", "\"op\":\"c\"");
            assertThat(header(deadLetter, DeadLetterHeaders.SERVICE)).isEqualTo("ingest-service");
            assertThat(header(deadLetter, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(PREFIX + "orders");
            assertThat(header(deadLetter, DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo("-1");
            assertThat(Long.parseLong(header(deadLetter, DeadLetterHeaders.SOURCE_OFFSET))).as("LSN of the change").isPositive();
            assertThat(header(deadLetter, DeadLetterHeaders.ERROR_CLASS)).isEqualTo("dev.streamfold.ingest.mapping.UnmappableChangeException");
            assertThat(header(deadLetter, DeadLetterHeaders.ERROR_MESSAGE)).contains("currency", "eu1");

            // And the good one that followed is published, the bad one is not
            List<ConsumerRecord<String, Order>> ofCustomer = await().atMost(TIMEOUT).until(
                    () -> orders.poll().stream().filter(r -> r.key().equals("10")).toList(),
                    seen -> seen.stream().anyMatch(r -> r.value().getOrderId() == goodOrder));
            assertThat(orderViews(ofCustomer)).containsExactly(
                    new OrderView(goodOrder, 10, 110, 2, 18_000, "EUR", T2.plusSeconds(2)));
        }
        assertThat(meters.get(IngestMetrics.DEAD_LETTERED).tag("topic", PREFIX + "orders").counter().count()).isGreaterThanOrEqualTo(1);
        assertThat(healthy()).isTrue();
    }

    @Test
    @org.junit.jupiter.api.Order(3)
    void shouldResumeFromTheKafkaOffsetsAfterARestartWithoutSnapshottingAgain() {
        // Given the engine is stopped, and an order is placed meanwhile
        engine.stop();
        await().atMost(TIMEOUT).until(() -> !healthy());
        long missedOrder = shop.insertOrder(1, 101, 1, 4_000, "EUR", T2.plusSeconds(30));

        // When it starts again
        engine.start();

        // Then it catches up from where it stopped: the order arrives, and no row got a second event id from a new snapshot
        try (var orders = TopicReader.of(bootstrapServers(), freshTopics().orders())) {
            List<ConsumerRecord<String, Order>> all = await().atMost(TIMEOUT).until(orders::poll,
                    seen -> seen.stream().anyMatch(r -> r.value().getOrderId() == missedOrder));
            Map<Long, Set<String>> eventIdsByOrder = all.stream().collect(Collectors.groupingBy(
                    r -> r.value().getOrderId(), Collectors.mapping(r -> r.value().getEventId(), Collectors.toSet())));
            assertThat(eventIdsByOrder).containsKey(snapshotOrderId).allSatisfy((order, eventIds) -> assertThat(eventIds).hasSize(1));
        }
        await().atMost(TIMEOUT).until(this::healthy);
    }

    /** The assertions read with descriptors of their own, since a reader closes the serdes it was given. */
    private static Topics freshTopics() {
        return new Topics(new RegistrySerdeFactory(LocalStack.shared().endpoints().registryUrl()), PREFIX);
    }

    private static String bootstrapServers() {
        return LocalStack.shared().endpoints().bootstrapServers();
    }

    private boolean healthy() {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            // 503 while any component is DOWN, 200 once the capture (and everything else) is UP.
            return response.statusCode() == 200 && response.body().contains("\"status\":\"UP\"");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static <V> Map<String, List<ConsumerRecord<String, V>>> byKey(List<ConsumerRecord<String, V>> records, Set<String> keys) {
        return records.stream().filter(r -> keys.contains(r.key())).collect(Collectors.groupingBy(ConsumerRecord::key));
    }

    private static <V> List<Map.Entry<V, Long>> valuesAndTimestamps(Collection<ConsumerRecord<String, V>> records) {
        return records.stream().map(r -> Map.entry(r.value(), r.timestamp())).toList();
    }

    /** An order record without its LSN-based event id (checked separately), with the record's key and timestamp. */
    private record OrderView(long orderId, long customerId, long productId, int quantity, long amountMinor, String currency,
            Instant eventTime, String key, long timestamp) {

        OrderView(long orderId, long customerId, long productId, int quantity, long amountMinor, String currency, Instant eventTime) {
            this(orderId, customerId, productId, quantity, amountMinor, currency, eventTime, Long.toString(customerId), eventTime.toEpochMilli());
        }
    }

    private static List<OrderView> orderViews(List<ConsumerRecord<String, Order>> records) {
        return records.stream().map(r -> new OrderView(r.value().getOrderId(), r.value().getCustomerId(), r.value().getProductId(),
                r.value().getQuantity(), r.value().getAmountMinor(), r.value().getCurrency(), r.value().getEventTime(),
                r.key(), r.timestamp())).toList();
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return DeadLetterHeaders.text(record.headers(), name);
    }
}
