package dev.streamfold.ingest.capture;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.deadletter.DeadLetterHeaders;
import dev.streamfold.common.order.InvalidOrderException;
import dev.streamfold.common.order.OrderRules;
import dev.streamfold.common.reference.ValidFrom;
import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.common.serde.RegistrySerdeFactory;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.TopicSettings;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.ingest.mapping.ChangeEventMapper;
import dev.streamfold.ingest.mapping.UnmappableChangeException;
import dev.streamfold.localstack.LocalStack;
import dev.streamfold.localstack.LocalStackExtension;
import dev.streamfold.schemas.Customer;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.OrderOperation;
import dev.streamfold.schemas.OrderSource;
import dev.streamfold.schemas.Product;
import dev.streamfold.schemas.db.ShopDatabase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The service against real PostgreSQL, Kafka and registry: rows written before it starts arrive through the initial
 * snapshot, rows written while it runs through streaming. One database, slot, publication and topic prefix of its own.
 * The engine is shared by the tests, so each test works on customers of its own; the restart and re-snapshot tests run
 * last because re-delivery after a restart is allowed (at-least-once) and would blur the exact assertions of the others.
 *
 * <p>The database already holds orders placed years ago when the service starts, and the {@code orders} topic is
 * created by the test beforehand, so that the broker's retention (checked every 5 s by the local stack) would delete
 * any record stamped with such a business time: see {@link #createOrdersTopicThatDeletesByRecordTime}.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@ExtendWith(LocalStackExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IngestServiceIT {

    private static final String RUN = "ingest_it_" + UUID.randomUUID().toString().substring(0, 8);
    private static final String PREFIX = RUN + ".";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    /** Before anything of this test was written: every record timestamp of the run lies between this and now. */
    private static final Instant RUN_STARTED = Instant.now();

    private static final Instant T0 = Instant.parse("2024-05-01T10:00:00.123Z");
    private static final Instant T1 = Instant.parse("2024-05-01T11:00:00.456Z");
    private static final Instant T2 = Instant.parse("2024-05-01T12:00:00.789Z");

    /** Customers of the shop's early years, each with two orders placed in one of 2016 to 2019. */
    private static final List<Long> EARLY_CUSTOMERS = List.of(20L, 21L, 22L, 23L);
    private static final Duration RETENTION = Duration.ofDays(7);
    /** Small, so that the orders topic has closed segments for the retention check to judge. */
    private static final Duration SEGMENT_ROLL = Duration.ofSeconds(1);
    private static final Instant BUSINESS_TIME_YEARS_AGO = Instant.parse("2016-03-01T09:00:00Z");

    private static final Instant START_OF_TIME = Instant.ofEpochMilli(ValidFrom.START_OF_TIME);

    private static String jdbcUrl;
    private static ShopDatabase shop;
    private static long snapshotOrderId;
    /** Placed at T0 + 20 s and cancelled an hour later, all before ingest started. */
    private static long historicOrderId;
    /** Placed and then shipped while ingest ran. */
    private static long shippedOrderId;
    private static final Set<Long> yearsOldOrderIds = new HashSet<>();

    @LocalServerPort
    private int port;

    @Autowired
    private ChangeCaptureEngine engine;

    @Autowired
    private MeterRegistry meters;

    @Autowired
    private IngestProperties ingest;

    @Autowired
    private Topics topics;

    @Autowired
    private OrderRules orderRules;

    @Autowired
    private RecordAccounting accounting;

    @Autowired
    private KafkaTemplate<byte[], byte[]> ingestKafkaTemplate;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        LocalStack stack = LocalStack.shared();
        jdbcUrl = stack.createDatabase(RUN);
        shop = new ShopDatabase(jdbcUrl, stack.endpoints().postgresUser(), "").createSchema();
        // Runs before the context, so before the engine: these rows can only arrive through the initial snapshot.
        shop.insertCustomer(1, "Ada", "ada@example.com", "DE", "gold", T0);
        shop.insertCustomer(2, "Grace", "grace@example.com", "US", "silver", T0.plusSeconds(1));
        shop.insertProduct(100, "Kettle", "kitchen", 2_500, T0);
        shop.insertProduct(101, "Lamp", "living", 4_000, T0);
        snapshotOrderId = shop.insertOrder(1, 100, 2, 5_000, "EUR", T0.plusSeconds(10));
        historicOrderId = shop.insertOrder(1, 101, 1, 4_000, "EUR", "CANCELLED", T0.plusSeconds(20), T0.plusSeconds(3_620));
        insertYearsOldOrders();
        createOrdersTopicThatDeletesByRecordTime(stack.endpoints().bootstrapServers());

        CaptureTestProperties.register(registry, stack, shop, RUN);
    }

    @BeforeEach
    void captureIsRunning() {
        await().atMost(TIMEOUT).until(this::healthy);
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void shouldPublishSnapshotAndStreamedRowsAsAvroRecordsStampedWhenTheyWereWritten() {
        // Given the rows written before the start, and while it runs: new rows, an update, a delete, an order update
        shop.insertCustomer(3, "Linus", "linus@example.com", "FI", "bronze", T1);
        shop.insertProduct(102, "Desk", "office", 15_000, T1);
        shop.updateCustomerTier(2, "gold", T1.plusSeconds(1));
        long secondOrder = shop.insertOrder(2, 101, 1, 4_000, "EUR", T1.plusSeconds(5));
        long thirdOrder = shop.insertOrder(3, 102, 1, 15_000, "USD", T1.plusSeconds(6));
        shop.updateOrderStatus(secondOrder, "SHIPPED");
        shop.insertCustomer(4, "Temp", "temp@example.com", "NL", "bronze", T1.plusSeconds(2));
        shop.deleteCustomer(4);
        // Same customer, so same partition, after the order update: once it is read, the update is too.
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

        // Then customers: latest rows by customer id, business time in updated_at, snapshot and new rows valid from the
        // start of time, the update from its commit, the deleted one ending in a tombstone stamped with its commit
        assertThat(customers.get("1")).extracting(ConsumerRecord::value).containsExactly(
                new Customer(1L, "Ada", "ada@example.com", "DE", "gold", T0, START_OF_TIME));
        assertThat(customers.get("2")).extracting(ConsumerRecord::value).satisfiesExactly(
                snapshot -> assertThat(snapshot).isEqualTo(
                        new Customer(2L, "Grace", "grace@example.com", "US", "silver", T0.plusSeconds(1), START_OF_TIME)),
                update -> {
                    assertThat(Customer.newBuilder(update).setValidFrom(START_OF_TIME).build()).isEqualTo(
                            new Customer(2L, "Grace", "grace@example.com", "US", "gold", T1.plusSeconds(1), START_OF_TIME));
                    assertDuringThisRun(update.getValidFrom().toEpochMilli(), "valid_from of the update");
                });
        assertThat(customers.get("3")).extracting(ConsumerRecord::value).containsExactly(
                new Customer(3L, "Linus", "linus@example.com", "FI", "bronze", T1, START_OF_TIME));
        assertThat(customers.get("4")).extracting(ConsumerRecord::value).containsExactly(
                new Customer(4L, "Temp", "temp@example.com", "NL", "bronze", T1.plusSeconds(2), START_OF_TIME), null);
        assertDuringThisRun(ValidFrom.of(customers.get("4").get(1).headers()).orElseThrow(), "valid-from header of the tombstone");

        // And products by product id, valid from the start of time
        assertThat(products).extracting(ConsumerRecord::key, ConsumerRecord::value).containsExactly(
                tuple("100", new Product(100L, "Kettle", "kitchen", 2_500L, T0, START_OF_TIME)),
                tuple("101", new Product(101L, "Lamp", "living", 4_000L, T0, START_OF_TIME)),
                tuple("102", new Product(102L, "Desk", "office", 15_000L, T1, START_OF_TIME)));

        // And orders: every change, keyed by customer, created_at as event time; a row changed before the snapshot
        // read is an update, like the streamed status change
        assertThat(orderViews(orders.get("1"))).containsExactly(
                new OrderView(snapshotOrderId, 1, 100, 2, 5_000, "EUR", T0.plusSeconds(10)),
                new OrderView(historicOrderId, 1, 101, 1, 4_000, "EUR", T0.plusSeconds(20)).changed(OrderOperation.UPDATE, "CANCELLED"));
        assertThat(orderViews(orders.get("2"))).containsExactly(
                new OrderView(secondOrder, 2, 101, 1, 4_000, "EUR", T1.plusSeconds(5)),
                new OrderView(secondOrder, 2, 101, 1, 4_000, "EUR", T1.plusSeconds(5)).changed(OrderOperation.UPDATE, "SHIPPED"),
                new OrderView(fourthOrder, 2, 100, 3, 7_500, "EUR", T1.plusSeconds(7)));
        assertThat(orderViews(orders.get("3"))).containsExactly(
                new OrderView(thirdOrder, 3, 102, 1, 15_000, "USD", T1.plusSeconds(6)));

        // And each is versioned by its row's updated_at in microseconds, and named by order and version
        assertThat(versions(orders.get("1"))).containsExactly(micros(T0.plusSeconds(10)), micros(T0.plusSeconds(3_620)));
        assertThat(versions(orders.get("2"))).containsExactly(micros(T1.plusSeconds(5)), shop.orderVersion(secondOrder),
                micros(T1.plusSeconds(7)));
        assertThat(shop.orderVersion(secondOrder)).isGreaterThan(micros(T1.plusSeconds(5)));
        orders.values().stream().flatMap(List::stream).map(ConsumerRecord::value).forEach(order -> {
            assertThat(order.getEventId()).isEqualTo("pg:orders:" + order.getOrderId() + ":" + order.getVersion());
            assertThat(order.getChangedAt()).isEqualTo(Instant.ofEpochMilli(order.getVersion() / 1_000));
            assertThat(order.getSource()).isEqualTo(OrderSource.DATABASE);
        });

        // And every record is stamped with when it was written during this run, never with business time
        assertWrittenDuringThisRun(customers.values().stream().flatMap(List::stream).toList());
        assertWrittenDuringThisRun(products);
        assertWrittenDuringThisRun(orders.values().stream().flatMap(List::stream).toList());
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void shouldDeadLetterAnInvalidOrderWithTheSharedRulesMessageAndStillPublishTheNextOne() {
        // Given a customer and a product of this test
        shop.insertCustomer(10, "Edsger", "edsger@example.com", "NL", "gold", T2);
        shop.insertProduct(110, "Chair", "office", 9_000, T2);

        // When an order with a currency that is not an ISO 4217 code is inserted, then a good one
        long badOrder = shop.insertOrder(10, 110, 1, 9_000, "eu1", T2.plusSeconds(1));
        long goodOrder = shop.insertOrder(10, 110, 2, 18_000, "EUR", T2.plusSeconds(2));

        // Then the bad one is in orders.dlq, as JSON, with the dead-letter headers and the order rule's verdict
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
            long lsn = Long.parseLong(header(deadLetter, DeadLetterHeaders.SOURCE_OFFSET));
            assertThat(lsn).as("LSN of the change").isPositive();
            assertThat(header(deadLetter, DeadLetterHeaders.ERROR_CLASS)).isEqualTo(InvalidOrderException.class.getName());
            assertThat(header(deadLetter, DeadLetterHeaders.ERROR_MESSAGE)).isEqualTo("Order " + badOrder + " (event pg:orders:"
                    + badOrder + ":" + micros(T2.plusSeconds(1)) + ") is invalid: currency 'eu1' is not an ISO 4217 code");

            // And the good one that followed is published, the bad one is not
            List<ConsumerRecord<String, Order>> ofCustomer = await().atMost(TIMEOUT).until(
                    () -> orders.poll().stream().filter(r -> r.key().equals("10")).toList(),
                    seen -> seen.stream().anyMatch(r -> r.value().getOrderId() == goodOrder));
            assertThat(orderViews(ofCustomer)).containsExactly(
                    new OrderView(goodOrder, 10, 110, 2, 18_000, "EUR", T2.plusSeconds(2)));
        }

        // And the dead letter is counted for the orders stage, with its reason, also on the Prometheus endpoint
        // (counted once Kafka acknowledged it, which may be just after a consumer could read it)
        await().atMost(TIMEOUT).until(this::invalidOrdersDeadLettered, count -> count == 1.0);
        assertThat(prometheusLines()).anySatisfy(line -> assertThat(line).startsWith("streamfold_records_total{")
                .contains("service=\"ingest-service\"", "stage=\"" + PREFIX + "orders\"", "outcome=\"dead-lettered\"",
                        "reason=\"invalid-order\"")
                .endsWith(" 1.0"));
        assertThat(healthy()).isTrue();
    }

    @Test
    @org.junit.jupiter.api.Order(3)
    void shouldPublishEveryChangeOfAnOrderWithAVersionNewerThanTheLast() {
        // Given a customer and a product of this test, and two orders placed
        shop.insertCustomer(30, "Barbara", "barbara@example.com", "US", "gold", T2);
        shop.insertProduct(130, "Shelf", "living", 3_000, T2);
        long order = shop.insertOrder(30, 130, 1, 3_000, "EUR", T2.plusSeconds(10));
        long kept = shop.insertOrder(30, 130, 2, 6_000, "EUR", T2.plusSeconds(11));
        shippedOrderId = kept;

        // When the first is paid, corrected, cancelled and deleted, and then the other shipped
        shop.updateOrderStatus(order, "PAID");
        shop.correctOrder(order, 3, 9_000);
        shop.cancelOrder(order);
        shop.deleteOrder(order);
        shop.updateOrderStatus(kept, "SHIPPED");

        // Then each change arrives, in order, as a change event with its operation and the state it left
        List<ConsumerRecord<String, Order>> ofCustomer;
        try (var orders = TopicReader.of(bootstrapServers(), freshTopics().orders())) {
            // Same customer, so same partition: once the last change is read, every earlier one is too.
            ofCustomer = await().atMost(TIMEOUT).until(() -> orders.poll().stream().filter(r -> r.key().equals("30")).toList(),
                    seen -> seen.stream().anyMatch(r -> r.value().getOrderId() == kept && r.value().getStatus().equals("SHIPPED")));
        }
        List<ConsumerRecord<String, Order>> changes = ofCustomer.stream().filter(r -> r.value().getOrderId() == order).toList();
        OrderView placed = new OrderView(order, 30, 130, 1, 3_000, "EUR", T2.plusSeconds(10));
        OrderView corrected = new OrderView(order, 30, 130, 3, 9_000, "EUR", T2.plusSeconds(10));
        assertThat(orderViews(changes)).containsExactly(
                placed,
                placed.changed(OrderOperation.UPDATE, "PAID"),
                corrected.changed(OrderOperation.UPDATE, "PAID"),
                corrected.changed(OrderOperation.UPDATE, "CANCELLED"),
                corrected.changed(OrderOperation.DELETE, "CANCELLED"));

        // And every version is newer than the one before; the delete's is one microsecond after the last update's
        List<Long> versions = versions(changes);
        assertThat(versions).first().isEqualTo(micros(T2.plusSeconds(10)));
        for (int i = 1; i < versions.size(); i++) {
            assertThat(versions.get(i)).as("version of change %d", i).isGreaterThan(versions.get(i - 1));
        }
        assertThat(versions.getLast()).isEqualTo(versions.get(versions.size() - 2) + 1);
        assertThat(changes).extracting(r -> r.value().getEventId())
                .containsExactlyElementsOf(versions.stream().map(version -> "pg:orders:" + order + ":" + version).toList());

        // And an update changed at its updated_at, the delete at its commit, neither before the change it follows
        List<Instant> changedAt = changes.stream().map(r -> r.value().getChangedAt()).toList();
        assertThat(changedAt).isSorted();
        assertThat(changedAt.subList(1, 4)).allSatisfy(at -> assertDuringThisRun(at.toEpochMilli(), "changed_at of an update"));
        assertDuringThisRun(changedAt.getLast().toEpochMilli(), "changed_at of the delete");

        // And the order that was kept ends shipped, at the version the database holds
        assertThat(ofCustomer).filteredOn(r -> r.value().getOrderId() == kept).extracting(r -> r.value().getVersion())
                .containsExactly(micros(T2.plusSeconds(11)), shop.orderVersion(kept));
    }

    @Test
    @org.junit.jupiter.api.Order(4)
    void shouldDeadLetterADeleteFromATableWithoutFullReplicaIdentityNamingTheFix() {
        // Given an order of this test's customer, and a table that has lost REPLICA IDENTITY FULL
        shop.insertCustomer(40, "Frances", "frances@example.com", "US", "silver", T2);
        long order = shop.insertOrder(40, 100, 1, 2_500, "EUR", T2.plusSeconds(20));
        try {
            sql("ALTER TABLE orders REPLICA IDENTITY DEFAULT");

            // When the order is deleted
            shop.deleteOrder(order);

            // Then its delete, which carries only the key of the old row, is in orders.dlq, saying how to fix it
            try (var deadLetters = TopicReader.raw(bootstrapServers(), freshTopics().orders().deadLetterTopicName())) {
                ConsumerRecord<byte[], byte[]> deadLetter = await().atMost(TIMEOUT).until(
                        () -> deadLetters.poll().stream().filter(r -> new String(r.value(), UTF_8).contains("\"id\":" + order + ","))
                                .findFirst(),
                        Optional::isPresent).orElseThrow();
                assertThat(new String(deadLetter.value(), UTF_8)).contains("\"op\":\"d\"");
                assertThat(header(deadLetter, DeadLetterHeaders.ERROR_CLASS)).isEqualTo(UnmappableChangeException.class.getName());
                assertThat(header(deadLetter, DeadLetterHeaders.ERROR_MESSAGE))
                        .contains("order " + order, "not REPLICA IDENTITY FULL", "ALTER TABLE orders REPLICA IDENTITY FULL");
            }
        } finally {
            sql("ALTER TABLE orders REPLICA IDENTITY FULL");
        }

        // And the order itself was published when it was placed, and nothing else of it
        try (var orders = TopicReader.of(bootstrapServers(), freshTopics().orders())) {
            assertThat(orders.readToEnd(TIMEOUT)).filteredOn(r -> r.value().getOrderId() == order)
                    .extracting(r -> r.value().getOperation()).containsExactly(OrderOperation.INSERT);
        }
    }

    @Test
    @org.junit.jupiter.api.Order(5)
    void shouldKeepYearsOldOrdersThroughTheBrokersRetentionCheck() throws Exception {
        // Given the orders placed years before ingest started, published by its snapshot to an orders topic whose
        // retention deletes records stamped more than 7 days ago
        Set<Long> snapshotOrders = snapshotOrderIds();
        try (var orders = TopicReader.of(bootstrapServers(), freshTopics().orders())) {
            await().atMost(TIMEOUT).until(orders::poll, seen -> orderIds(seen).containsAll(snapshotOrders));
        }

        try (Admin admin = admin()) {
            // When the broker's retention check has run twice since
            awaitTwoRetentionChecks(admin);

            // Then no partition of orders lost a record
            Topic<String, Order> ordersTopic = freshTopics().orders();
            assertThat(earliestOffsets(admin, ordersTopic.name(), ordersTopic.partitions()))
                    .hasSize(ordersTopic.partitions()).allSatisfy((partition, earliest) -> assertThat(earliest).as("earliest offset of %s", partition).isZero());
        }

        // And every snapshot order is still readable, once, with its event time years ago and stamped when it was written
        List<ConsumerRecord<String, Order>> snapshot;
        try (var orders = TopicReader.of(bootstrapServers(), freshTopics().orders())) {
            snapshot = orders.readToEnd(TIMEOUT).stream().filter(r -> snapshotOrders.contains(r.value().getOrderId())).toList();
        }
        assertThat(snapshot).extracting(r -> r.value().getOrderId()).containsExactlyInAnyOrderElementsOf(snapshotOrders);
        assertThat(snapshot).filteredOn(r -> yearsOldOrderIds.contains(r.value().getOrderId()))
                .allSatisfy(r -> assertThat(r.value().getEventTime()).isBefore(Instant.parse("2020-01-01T00:00:00Z")));
        assertWrittenDuringThisRun(snapshot);
    }

    @Test
    @org.junit.jupiter.api.Order(6)
    void shouldResumeFromTheKafkaOffsetsAfterARestartWithoutSnapshottingAgain() {
        // Given the event id each snapshot order was published with
        Set<Long> snapshotOrders = snapshotOrderIds();
        Map<Long, Set<String>> before;
        try (var orders = TopicReader.of(bootstrapServers(), freshTopics().orders())) {
            before = eventIdsByOrder(await().atMost(TIMEOUT).until(orders::poll, seen -> orderIds(seen).containsAll(snapshotOrders)));
        }
        // And the engine is stopped, and an order is placed meanwhile
        engine.stop();
        await().atMost(TIMEOUT).until(() -> !healthy());
        long missedOrder = shop.insertOrder(1, 101, 1, 4_000, "EUR", T2.plusSeconds(30));

        // When it starts again
        engine.start();

        // Then it catches up from where it stopped: the missed order arrives, and no snapshot order got a second
        // event id from a new snapshot (which would have been written before the missed order, so read to the end)
        Map<Long, Set<String>> after;
        try (var orders = TopicReader.of(bootstrapServers(), freshTopics().orders())) {
            await().atMost(TIMEOUT).until(orders::poll, seen -> orderIds(seen).contains(missedOrder));
            after = eventIdsByOrder(orders.readToEnd(TIMEOUT));
        }
        assertThat(after.get(missedOrder)).hasSize(1);
        for (long order : snapshotOrders) {
            assertThat(after.get(order)).as("event ids of snapshot order %d", order).isEqualTo(before.get(order)).hasSize(1);
        }
        await().atMost(TIMEOUT).until(this::healthy);
    }

    @Test
    @org.junit.jupiter.api.Order(7)
    void shouldGiveUnchangedRowsTheSameEventIdsAndVersionsWhenANewSlotReadsTheTableAgain() {
        // Given the latest event of every order the service published, read once it has stopped
        engine.stop();
        await().atMost(TIMEOUT).until(() -> !healthy());
        Map<Long, Order> published;
        try (var orders = TopicReader.of(bootstrapServers(), freshTopics().orders())) {
            published = latestByOrder(orders.readToEnd(TIMEOUT));
        }
        // And rows changed while nothing captures them
        long correctedOrder = yearsOldOrderIds.stream().min(Comparator.naturalOrder()).orElseThrow();
        shop.updateOrderStatus(snapshotOrderId, "PAID");
        shop.correctOrder(correctedOrder, 3, 7_500);
        Set<Long> changed = Set.of(snapshotOrderId, correctedOrder);
        // The rows still in the table that were published: each must be read again (some, like the invalid order,
        // never were, and deleted ones are gone)
        Set<Long> live = orderIdsInDatabase().stream().filter(published::containsKey).collect(Collectors.toSet());
        assertThat(live).containsAll(changed).contains(historicOrderId, shippedOrderId);
        assertThat(published.get(shippedOrderId).getOperation()).as("last event of a row streaming saw updated")
                .isEqualTo(OrderOperation.UPDATE);

        // When ingest reads the tables again from a new replication slot, with new offsets: a new snapshot
        Map<Long, Order> reread;
        String slot = RUN + "_again";
        ChangeCaptureEngine again = engineWithOwnSlot(slot, PREFIX + "streamfold.ingest.offsets.again");
        try (var orders = TopicReader.ofNewRecords(bootstrapServers(), freshTopics().orders())) {
            again.start();
            reread = await().atMost(TIMEOUT).until(() -> latestByOrder(orders.poll()), seen -> seen.keySet().containsAll(live));
        } finally {
            again.stop();
            dropReplicationSlot(slot);
            engine.start();
        }

        // Then it read every row still there, and nothing deleted
        assertThat(reread.keySet()).containsExactlyInAnyOrderElementsOf(live);
        // And an unchanged row has exactly the event id, version and operation it was published with, whether that
        // came from the first snapshot or from streaming
        for (long order : live) {
            Order before = published.get(order);
            Order after = reread.get(order);
            if (changed.contains(order)) {
                assertThat(after.getVersion()).as("version of changed order %d", order).isGreaterThan(before.getVersion());
                assertThat(after.getOperation()).as("operation of changed order %d", order).isEqualTo(OrderOperation.UPDATE);
                assertThat(after.getEventId()).isEqualTo("pg:orders:" + order + ":" + after.getVersion());
            } else {
                assertThat(after).as("order %d read again", order).isEqualTo(before);
            }
        }
        await().atMost(TIMEOUT).until(this::healthy);
    }

    @Test
    void shouldStartCaptureAgainByItselfAfterAFailureAndLoseNothing() {
        // Given a capture whose output topics do not exist yet: the broker creates none by itself, so every batch it
        // publishes fails (after 2 s) and stops its engine, which is started again after a short pause each time
        String prefix = PREFIX + "restart.";
        Topics restartTopics = new Topics(new RegistrySerdeFactory(LocalStack.shared().endpoints().registryUrl()), prefix);
        String slot = RUN + "_restart";
        IngestProperties own = new IngestProperties(ingest.database(), slot, ingest.publicationName(), prefix + "offsets",
                ingest.heartbeatInterval(), ingest.slotCheckInterval());
        Properties settings = DebeziumSettings.of(own, bootstrapServers(), own.offsetsTopic(prefix), (short) 1);
        KafkaTemplate<byte[], byte[]> impatient = new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(), ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new ByteArraySerializer(), new ByteArraySerializer()));
        CaptureHealthIndicator health = new CaptureHealthIndicator();
        ChangeCaptureEngine failing = new ChangeCaptureEngine(settings, new ChangeBatchPublisher(
                new ChangeEventMapper(restartTopics, orderRules, InstantSource.system()), impatient, new DeadLetterRecords(),
                accounting), health, new RestartBackoff(Duration.ofMillis(200), Duration.ofSeconds(30)));
        engine.stop();
        try {
            failing.start();
            // When it has failed (and been started again) at least twice
            await().atMost(TIMEOUT).until(() -> String.valueOf(health.health().getDetails().get("restart")).contains("2 in a row"));
            // ...and then its topics appear, as if the broker had come back
            Topics names = new Topics(AvroBinarySerde.factory(), prefix);
            LocalStack.shared().createTopics(List.of(names.customers().newTopic(TopicSettings.singleBroker()),
                    names.products().newTopic(TopicSettings.singleBroker()), names.orders().newTopic(TopicSettings.singleBroker()),
                    names.customers().newDeadLetterTopic(TopicSettings.singleBroker()),
                    names.products().newDeadLetterTopic(TopicSettings.singleBroker()),
                    names.orders().newDeadLetterTopic(TopicSettings.singleBroker())));
            // Then capture runs again by itself, and every order in the table reaches Kafka
            Topics reader = new Topics(new RegistrySerdeFactory(LocalStack.shared().endpoints().registryUrl()), prefix);
            try (var orders = TopicReader.of(bootstrapServers(), reader.orders())) {
                Set<Long> expected = validOrderIdsInDatabase();
                Map<Long, Order> captured = await().atMost(TIMEOUT).until(() -> latestByOrder(orders.poll()),
                        seen -> seen.keySet().containsAll(expected));
                assertThat(captured.keySet()).containsAll(expected);
            }
            await().atMost(TIMEOUT).until(() -> health.health().getStatus().equals(Status.UP));
        } finally {
            failing.stop();
            dropReplicationSlot(slot);
            engine.start();
        }
    }

    /** Orders of 2016 to 2019; product 100 is in the snapshot already. */
    private static void insertYearsOldOrders() {
        for (int i = 0; i < EARLY_CUSTOMERS.size(); i++) {
            long customer = EARLY_CUSTOMERS.get(i);
            int year = 2016 + i;
            shop.insertCustomer(customer, "Early " + customer, "early" + customer + "@example.com", "GB", "bronze",
                    Instant.parse(year + "-01-10T08:00:00Z"));
            yearsOldOrderIds.add(shop.insertOrder(customer, 100, 1, 2_500, "GBP", Instant.parse(year + "-03-01T09:00:00Z")));
            yearsOldOrderIds.add(shop.insertOrder(customer, 100, 2, 5_000, "GBP", Instant.parse(year + "-11-15T17:30:00Z")));
        }
    }

    /**
     * Creates the test's {@code orders} topic before the service starts (the service keeps an existing topic as it
     * is): its partitions and cleanup policy, but small segments, 7 days' retention and {@code CreateTime}, so the
     * record timestamps are those ingest produced; the production topic's {@code LogAppendTime} would hide a producer
     * that still stamped business time.
     */
    private static void createOrdersTopicThatDeletesByRecordTime(String bootstrapServers) {
        Topic<String, Order> orders = freshTopics().orders();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(List.of(deletingByRecordTime(orders.newTopic(TopicSettings.singleBroker())))).all().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create " + orders.name(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static NewTopic deletingByRecordTime(NewTopic topic) {
        Map<String, String> configs = new HashMap<>(topic.configs() == null ? Map.of() : topic.configs());
        configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
        configs.put(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "CreateTime");
        configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(RETENTION.toMillis()));
        configs.put(TopicConfig.SEGMENT_MS_CONFIG, Long.toString(SEGMENT_ROLL.toMillis()));
        return topic.configs(configs);
    }

    /**
     * Observes the broker's retention check: a probe topic configured like {@code orders} receives one record stamped
     * years ago (as ingest used to stamp snapshot orders), and the check deletes it; twice, so two checks have run
     * since the snapshot was in {@code orders}.
     */
    private static void awaitTwoRetentionChecks(Admin admin) throws Exception {
        String probe = PREFIX + "retention-probe";
        admin.createTopics(List.of(deletingByRecordTime(new NewTopic(probe, 1, (short) 1)))).all().get();
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (long deletedRecords = 1; deletedRecords <= 2; deletedRecords++) {
                producer.send(new ProducerRecord<>(probe, 0, BUSINESS_TIME_YEARS_AGO.toEpochMilli(), null,
                        "stamped with business time".getBytes(UTF_8))).get();
                long expected = deletedRecords;
                await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500))
                        .until(() -> earliestOffsets(admin, probe, 1).get(0), earliest -> earliest >= expected);
            }
        }
    }

    /** Partition → log start offset, the first offset still readable. */
    private static Map<Integer, Long> earliestOffsets(Admin admin, String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> request = IntStream.range(0, partitions).boxed()
                .collect(Collectors.toMap(partition -> new TopicPartition(topic, partition), partition -> OffsetSpec.earliest()));
        Map<Integer, Long> earliest = new LinkedHashMap<>();
        admin.listOffsets(request).all().get().forEach((partition, info) -> earliest.put(partition.partition(), info.offset()));
        return earliest;
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    private static Set<Long> snapshotOrderIds() {
        Set<Long> ids = new HashSet<>(yearsOldOrderIds);
        ids.add(snapshotOrderId);
        ids.add(historicOrderId);
        return Set.copyOf(ids);
    }

    /**
     * A second capture of the same database, as a new deployment or a lost slot would start it: its own replication
     * slot and offsets topic, so it snapshots the tables again; otherwise the service's own settings and beans.
     */
    private ChangeCaptureEngine engineWithOwnSlot(String slot, String offsetsTopic) {
        IngestProperties own = new IngestProperties(ingest.database(), slot, ingest.publicationName(), offsetsTopic,
                ingest.heartbeatInterval(), ingest.slotCheckInterval());
        Properties settings = DebeziumSettings.of(own, bootstrapServers(), own.offsetsTopic(PREFIX), (short) 1);
        ChangeEventMapper mapper = new ChangeEventMapper(topics, orderRules, InstantSource.system());
        return new ChangeCaptureEngine(settings,
                new ChangeBatchPublisher(mapper, ingestKafkaTemplate, new DeadLetterRecords(), accounting),
                new CaptureHealthIndicator());
    }

    /** A slot pins WAL until dropped; it stays active for a moment after its engine stopped. */
    private static void dropReplicationSlot(String slot) {
        await().atMost(TIMEOUT).ignoreExceptions().untilAsserted(() -> sql(
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot + "'"));
    }

    /** The rows of orders that pass the shared order rule (the others are dead-lettered, not published). */
    private static Set<Long> validOrderIdsInDatabase() {
        Set<Long> ids = new HashSet<>();
        Instant now = Instant.now();
        try (Connection connection = DriverManager.getConnection(jdbcUrl, shop.user(), "");
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT id, quantity, amount, currency, created_at FROM orders")) {
            while (rows.next()) {
                Instant placed = rows.getTimestamp(5).toInstant();
                if (rows.getInt(2) > 0 && rows.getLong(3) >= 0 && OrderRules.isIsoCurrency(rows.getString(4).strip())
                        && !placed.isAfter(now.plus(OrderRules.DEFAULT_MAX_AHEAD)) && !placed.isBefore(OrderRules.DEFAULT_EARLIEST)) {
                    ids.add(rows.getLong(1));
                }
            }
            return ids;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<Long> orderIdsInDatabase() {
        Set<Long> ids = new HashSet<>();
        try (Connection connection = DriverManager.getConnection(jdbcUrl, shop.user(), "");
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT id FROM orders")) {
            while (rows.next()) {
                ids.add(rows.getLong(1));
            }
            return ids;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sql(String statement) {
        new ShopSql(jdbcUrl, shop.user()).execute(statement);
    }

    /** Each order's event of the highest version (re-deliveries carry the same version and id). */
    private static Map<Long, Order> latestByOrder(List<ConsumerRecord<String, Order>> records) {
        return records.stream().map(ConsumerRecord::value).collect(Collectors.toMap(Order::getOrderId, order -> order,
                (one, other) -> one.getVersion() >= other.getVersion() ? one : other));
    }

    private static List<Long> versions(List<ConsumerRecord<String, Order>> records) {
        return records.stream().map(r -> r.value().getVersion()).toList();
    }

    /** A row's version when its updated_at is {@code instant}. */
    private static long micros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
    }

    /** The assertions read with descriptors of their own, since a reader closes the serdes it was given. */
    private static Topics freshTopics() {
        return new Topics(new RegistrySerdeFactory(LocalStack.shared().endpoints().registryUrl()), PREFIX);
    }

    private static String bootstrapServers() {
        return LocalStack.shared().endpoints().bootstrapServers();
    }

    private boolean healthy() {
        HttpResponse<String> response = get("/actuator/health");
        // 503 while any component is DOWN, 200 once the capture (and everything else) is UP.
        return response != null && response.statusCode() == 200 && response.body().contains("\"status\":\"UP\"");
    }

    /** 0 until the first one is counted (the counter is registered then). */
    private double invalidOrdersDeadLettered() {
        Counter counter = meters.find(RecordAccounting.METER).tag("service", "ingest-service").tag("stage", PREFIX + "orders")
                .tag("outcome", "dead-lettered").tag("reason", "invalid-order").counter();
        return counter == null ? 0 : counter.count();
    }

    private List<String> prometheusLines() {
        HttpResponse<String> response = get("/actuator/prometheus");
        assertThat(response).isNotNull();
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body().lines().toList();
    }

    /** {@code null} when the service does not answer. */
    private HttpResponse<String> get(String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static <V> Map<String, List<ConsumerRecord<String, V>>> byKey(List<ConsumerRecord<String, V>> records, Set<String> keys) {
        return records.stream().filter(r -> keys.contains(r.key())).collect(Collectors.groupingBy(ConsumerRecord::key));
    }

    private static Set<Long> orderIds(List<ConsumerRecord<String, Order>> records) {
        return records.stream().map(r -> r.value().getOrderId()).collect(Collectors.toSet());
    }

    private static Map<Long, Set<String>> eventIdsByOrder(List<ConsumerRecord<String, Order>> records) {
        return records.stream().collect(Collectors.groupingBy(r -> r.value().getOrderId(),
                Collectors.mapping(r -> r.value().getEventId(), Collectors.toSet())));
    }

    private static void assertDuringThisRun(long epochMs, String what) {
        assertThat(epochMs).as(what).isBetween(RUN_STARTED.toEpochMilli(), Instant.now().toEpochMilli());
    }

    /** Record time is when the record was written, here: during this run, years after some of the business times. */
    private static void assertWrittenDuringThisRun(Collection<? extends ConsumerRecord<?, ?>> records) {
        long now = Instant.now().toEpochMilli();
        assertThat(records).isNotEmpty().allSatisfy(record -> assertThat(record.timestamp())
                .as("timestamp of %s", record).isBetween(RUN_STARTED.toEpochMilli(), now));
    }

    /** An order record without its version and event id (checked separately), with the record's key. */
    private record OrderView(long orderId, long customerId, long productId, int quantity, long amountMinor, String currency,
            Instant eventTime, OrderOperation operation, String status, String key) {

        /** The order as placed. */
        OrderView(long orderId, long customerId, long productId, int quantity, long amountMinor, String currency, Instant eventTime) {
            this(orderId, customerId, productId, quantity, amountMinor, currency, eventTime, OrderOperation.INSERT, "PLACED",
                    Long.toString(customerId));
        }

        OrderView changed(OrderOperation operation, String status) {
            return new OrderView(orderId, customerId, productId, quantity, amountMinor, currency, eventTime, operation, status, key);
        }
    }

    private static List<OrderView> orderViews(List<ConsumerRecord<String, Order>> records) {
        return records.stream().map(r -> new OrderView(r.value().getOrderId(), r.value().getCustomerId(), r.value().getProductId(),
                r.value().getQuantity(), r.value().getAmountMinor(), r.value().getCurrency(), r.value().getEventTime(),
                r.value().getOperation(), r.value().getStatus(), r.key())).toList();
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return DeadLetterHeaders.text(record.headers(), name);
    }
}
