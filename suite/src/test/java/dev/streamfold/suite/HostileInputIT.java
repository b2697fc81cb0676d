package dev.streamfold.suite;

import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Dimension;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamfold.common.deadletter.DeadLetterHeaders;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.localstack.LocalStack;
import dev.streamfold.localstack.LocalStackExtension;
import dev.streamfold.schemas.Customer;
import dev.streamfold.schemas.EnrichedOrder;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.OrderSource;
import dev.streamfold.schemas.Product;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Every input topic of the suite gets, between good records, each kind of record that once stopped a service or was
 * counted although invalid. The five services run as processes on a shop database that already holds years of orders.
 * Every bad record must end in a dead-letter topic with a reason naming its cause, every good one be counted exactly,
 * no Kafka Streams client leave RUNNING, and each stage's books balance.
 */
@ExtendWith(LocalStackExtension.class)
class HostileInputIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final Instant HISTORY_START = Instant.parse("2019-03-01T09:00:00Z");
    private static final int HISTORY_ORDERS = 60;
    private static final long NEAR_MAX = Long.MAX_VALUE - 10;

    private static TestSuite run;
    private static SuiteClient client;
    private static final Ledger ledger = new Ledger();
    private static final AtomicLong eventIds = new AtomicLong();

    @RegisterExtension
    static final TestWatcher SERVICE_LOGS_ON_FAILURE = TestSuite.printsLogsOnFailure(() -> run);

    @BeforeAll
    static void startSuiteOnAShopWithHistory(LocalStack stack) {
        run = TestSuite.create(stack, "hostile", UnaryOperator.identity());
        // Customers and products changed after their orders; years of orders already in the database
        run.shop().insertCustomer(1, "Ada", "ada@example.com", "DE", "gold", Instant.now().minus(Duration.ofDays(3)));
        run.shop().insertCustomer(2, "Brian", "brian@example.com", "FR", "standard", Instant.now().minus(Duration.ofDays(1)));
        run.shop().insertCustomer(3, "Chen", "chen@example.com", "NL", "standard", Instant.now().minus(Duration.ofDays(9)));
        run.shop().insertCustomer(4, "Dora", "dora@example.com", "AT", "standard", Instant.now().minus(Duration.ofDays(9)));
        run.shop().insertCustomer(5, "Emil", "emil@example.com", "SE", "standard", Instant.now().minus(Duration.ofDays(9)));
        run.shop().insertProduct(11, "Dune", "books", 1200, Instant.now().minus(Duration.ofDays(2)));
        run.shop().insertProduct(21, "Go board", "games", 5000, Instant.now().minus(Duration.ofDays(2)));
        run.shop().insertProduct(31, "Gold bar", "bullion", 100, Instant.now().minus(Duration.ofDays(2)));
        for (int i = 0; i < HISTORY_ORDERS; i++) {
            Instant placed = HISTORY_START.plus(Duration.ofDays(30L * i)).plusSeconds(17L * i);
            long customer = 1 + i % 3;
            long product = i % 2 == 0 ? 11 : 21;
            long amount = 500 + 37L * i;
            run.shop().insertOrder(customer, product, 1 + i % 3, amount, i % 4 == 0 ? "USD" : "EUR", placed);
            ledger.counted(order("history", customer, product, amount, i % 4 == 0 ? "USD" : "EUR", placed),
                    product == 11 ? "books" : "games");
        }
        run.start();
        client = run.client();
    }

    @AfterAll
    static void stopSuite() {
        if (run != null) {
            run.close();
        }
    }

    @Test
    void shouldDeadLetterEveryBadRecordWithItsCauseAndCountEveryGoodOneExactly() {
        Topics topics = client.topics();
        List<Expected> expected = new ArrayList<>();
        Topic<String, Order> orders = topics.orders();
        byte[] goodOrder = orders.valueSerde().serializer().serialize(orders.name(), order("frame", 1, 11, 1, "EUR", Instant.now()));

        // Given orders: bytes that are no wire format, a frame of another schema, an unknown schema id, a truncated body
        expected.add(bad(orders.name(), "1", randomBytes(), "not Confluent wire format"));
        good(topics);
        byte[] customerFrame = topics.customers().valueSerde().serializer().serialize(topics.customers().name(),
                Customer.newBuilder().setId(1).setName("Ada").setEmail("a@example.com").setCountry("DE").setTier("gold")
                        .setUpdatedAt(Instant.now()).build());
        expected.add(bad(orders.name(), "1", customerFrame, "schema Customer"));
        good(topics);
        expected.add(bad(orders.name(), "1", new byte[] {0, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xf0, 2, 4}, "schema id 2147483632 not found"));
        good(topics);
        expected.add(bad(orders.name(), "1", Arrays.copyOf(goodOrder, goodOrder.length - 6), "truncated or corrupt"));
        good(topics);
        // ...a null key, a wrong key, a tombstone
        expected.add(bad(orders.name(), null, goodOrder, "is keyed by null"));
        expected.add(bad(orders.name(), "2", goodOrder, "is keyed by 2, not by its customer id 1"));
        expected.add(bad(orders.name(), "1", null, "has no value"));
        good(topics);
        // ...each violation of the shared order rule, and event times in year 9999 and year 1
        expected.add(badOrder(orders, o -> o.setQuantity(0), "quantity must be positive, was 0"));
        expected.add(badOrder(orders, o -> o.setQuantity(-1), "quantity must be positive, was -1"));
        expected.add(badOrder(orders, o -> o.setAmountMinor(-5), "amount_minor must not be negative, was -5"));
        expected.add(badOrder(orders, o -> o.setCurrency("eu1"), "currency 'eu1' is not an ISO 4217 code"));
        expected.add(badOrder(orders, o -> o.setCurrency(""), "currency '' is not an ISO 4217 code"));
        expected.add(badOrder(orders, o -> o.setCurrency("ZZZ"), "currency 'ZZZ' is not an ISO 4217 code"));
        expected.add(badOrder(orders, o -> o.setEventTime(Instant.parse("9999-12-31T23:59:59Z")), "in the future"));
        expected.add(badOrder(orders, o -> o.setEventTime(Instant.parse("0001-01-01T00:00:00Z")), "before the earliest accepted"));
        expected.add(badOrder(orders, o -> o.setEventId(""), "event_id is missing"));
        good(topics);
        // ...and two orders of one customer, category and window whose revenues overflow a long together: priced in gold
        // (XAU), so that only they meet in every window of the order (the total's too), as two such orders would
        Instant overflowTime = Instant.now();
        Order first = order("overflow-1", 4, 31, NEAR_MAX, "XAU", overflowTime);
        client.publish(orders, first);
        ledger.counted(first, "bullion");
        client.publish(orders, order("overflow-2", 4, 31, 100, "XAU", overflowTime.plusMillis(1)));

        // Given customers and products: unreadable bytes, another schema, another's key (no key at all the broker itself
        // refuses on a compacted topic)
        Topic<String, Customer> customers = topics.customers();
        expected.add(bad(customers.name(), "3", randomBytes(), "not Confluent wire format"));
        expected.add(bad(customers.name(), "3", goodOrder, "schema Order"));
        expected.add(bad(customers.name(), "99", customerFrame, "Customer 1 is keyed by 99"));
        client.send(customers.name(), "5".getBytes(StandardCharsets.UTF_8), null); // a deleted customer: a valid change
        Topic<String, Product> products = topics.products();
        byte[] productFrame = products.valueSerde().serializer().serialize(products.name(), Product.newBuilder().setId(11)
                .setName("Dune").setCategory("books").setPriceMinor(1200).setUpdatedAt(Instant.now()).build());
        expected.add(bad(products.name(), "11", randomBytes(), "not Confluent wire format"));
        expected.add(bad(products.name(), "12", productFrame, "Product 11 is keyed by 12"));
        good(topics);

        // Given good orders from a publisher partitioning like librdkafka (CRC32), so some land on a partition that does
        // not own their customer
        try (SuiteClient otherLanguage = new SuiteClient(run.settings(),
                Map.of(ProducerConfig.PARTITIONER_CLASS_CONFIG, Crc32Partitioner.class.getName()))) {
            assertThat(List.of(1L, 2L, 3L, 4L)).anySatisfy(customer -> assertThat(Crc32Partitioner.partitionOf(
                    Long.toString(customer).getBytes(StandardCharsets.UTF_8), orders.partitions()))
                    .isNotEqualTo(murmur2Partition(Long.toString(customer), orders.partitions())));
            for (long n = 1; n <= 12; n++) {
                Order order = order("crc32", 1 + n % 4, n % 2 == 0 ? 11 : 21, 300 + n, "EUR", Instant.now());
                otherLanguage.publish(orders, order);
                ledger.counted(order, order.getProductId() == 11 ? "books" : "games");
            }
        }

        // Given enriched orders published straight to aggregation's input: unreadable, invalid, wrongly keyed, a tombstone
        Topic<String, EnrichedOrder> enriched = topics.ordersEnriched();
        expected.add(bad(enriched.name(), "1", randomBytes(), "not Confluent wire format"));
        expected.add(bad(enriched.name(), "1", enriched.valueSerde().serializer().serialize(enriched.name(),
                enrichedOrder(0)), "quantity must be positive, was 0"));
        expected.add(bad(enriched.name(), "3", enriched.valueSerde().serializer().serialize(enriched.name(),
                enrichedOrder(1)), "keyed by 3"));
        expected.add(bad(enriched.name(), "1", null, "no value"));
        // ...and bytes in the aggregate topic that query and reconciliation read
        expected.add(bad(topics.aggregates(AggregateStream.live(Dimension.CATEGORY)).name(), "books", randomBytes(), "not Confluent wire format"));
        good(topics);

        // Then every bad record is in its dead-letter topic, found by where it was read from, with its cause
        await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1)).failFast("a service died", () -> !run.allAlive())
                .untilAsserted(() -> assertThat(unmatched(expected)).as("bad records without their dead letter").isEmpty());
        // ...the overflowing order too, whichever stage met the overflow
        assertThat(overflowDeadLetters()).anySatisfy(message -> assertThat(message).contains("overflow"));

        // ...every good order, the years of history included, is counted exactly: the aggregate topic equals the ledger
        await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThat(client.latestAggregates()).isEqualTo(ledger.totals()));
        // ...none of them waited for a customer in vain (the CRC32 publisher's orders were re-routed, not dead-lettered)
        assertThat(client.readAll(orders.deadLetterTopicName())).noneSatisfy(letter ->
                assertThat(DeadLetterHeaders.text(letter.headers(), DeadLetterHeaders.ERROR_CLASS)).contains("MissingReference"));
        // ...no order was late, and no Kafka Streams client left RUNNING
        assertThat(client.readAll(topics.ordersLate().name())).isEmpty();
        for (Service service : List.of(Service.ENRICHMENT, Service.AGGREGATION, Service.QUERY)) {
            assertThat(run.suite().health(service)).as(service.id()).contains("RUNNING").doesNotContain("ERROR");
        }
        // ...and each stage's books balance, against the topics as much as against themselves
        assertBooksBalance(Service.ENRICHMENT, topics.orders().name(), client.readAll(topics.orders().name()).size());
        assertBooksBalance(Service.ENRICHMENT, topics.customers().name(), client.readAll(topics.customers().name()).size());
        assertBooksBalance(Service.ENRICHMENT, topics.products().name(), client.readAll(topics.products().name()).size());
        assertBooksBalance(Service.AGGREGATION, enriched.name(), client.readAll(enriched.name()).size());
    }

    private static int murmur2Partition(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private void assertBooksBalance(Service service, String stage, int recordsOnTopic) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String metrics = run.suite().metrics(service);
            double received = SuiteClient.recordCount(metrics, stage, "received");
            double accounted = SuiteClient.recordCount(metrics, stage, "forwarded")
                    + SuiteClient.recordCount(metrics, stage, "dead-lettered")
                    + SuiteClient.recordCount(metrics, stage, "late")
                    + SuiteClient.recordCount(metrics, stage, "duplicate");
            assertThat(received).as("%s records received by %s", stage, service.id()).isEqualTo(recordsOnTopic);
            assertThat(accounted).as("%s records accounted for by %s", stage, service.id()).isEqualTo(received);
        });
    }

    /** Each bad record whose dead letter is missing or gives another cause, with the causes its dead letters give. */
    private List<String> unmatched(List<Expected> expected) {
        Map<String, List<ConsumerRecord<byte[], byte[]>>> deadLetters = new HashMap<>();
        List<String> unmatched = new ArrayList<>();
        for (Expected bad : expected) {
            List<String> causes = deadLettersOf(bad, deadLetters.computeIfAbsent(Topic.deadLetterTopicName(bad.topic()),
                    client::readAll)).stream()
                    .map(letter -> DeadLetterHeaders.text(letter.headers(), DeadLetterHeaders.ERROR_MESSAGE)).toList();
            if (causes.stream().noneMatch(cause -> cause.contains(bad.cause()))) {
                unmatched.add(bad + " -> " + causes);
            }
        }
        return unmatched;
    }

    private static List<ConsumerRecord<byte[], byte[]>> deadLettersOf(Expected bad, List<ConsumerRecord<byte[], byte[]>> all) {
        return all.stream()
                .filter(letter -> bad.topic().equals(DeadLetterHeaders.text(letter.headers(), DeadLetterHeaders.SOURCE_TOPIC)))
                .filter(letter -> Integer.toString(bad.partition()).equals(DeadLetterHeaders.text(letter.headers(), DeadLetterHeaders.SOURCE_PARTITION)))
                .filter(letter -> Long.toString(bad.offset()).equals(DeadLetterHeaders.text(letter.headers(), DeadLetterHeaders.SOURCE_OFFSET)))
                .toList();
    }

    private List<String> overflowDeadLetters() {
        List<String> messages = new ArrayList<>();
        for (String dlq : run.deadLetterTopics()) {
            client.readAll(dlq).forEach(letter -> messages.add(DeadLetterHeaders.text(letter.headers(), DeadLetterHeaders.ERROR_MESSAGE)));
        }
        return messages;
    }

    private static Expected bad(String topic, String key, byte[] value, String cause) {
        RecordMetadata where = client.sendAndLocate(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
        return new Expected(topic, where.partition(), where.offset(), cause);
    }

    private static Expected badOrder(Topic<String, Order> orders, UnaryOperator<Order.Builder> change, String cause) {
        Order order = change.apply(Order.newBuilder(order("bad", 1, 11, 1_000, "EUR", Instant.now()))).build();
        return bad(orders.name(), "1", orders.valueSerde().serializer().serialize(orders.name(), order), cause);
    }

    /** A good order between the bad ones, published by an application, on time. */
    private static void good(Topics topics) {
        long n = eventIds.incrementAndGet();
        long customer = 1 + n % 3;
        long product = n % 2 == 0 ? 11 : 21;
        Order order = order("good", customer, product, 1_000 + n, n % 3 == 0 ? "USD" : "EUR", Instant.now());
        client.publish(topics.orders(), order);
        ledger.counted(order, product == 11 ? "books" : "games");
    }

    private static Order order(String kind, long customerId, long productId, long amountMinor, String currency, Instant placed) {
        String eventId = kind + "-" + eventIds.incrementAndGet();
        return Order.newBuilder().setEventId(eventId).setOrderId(Math.abs(eventId.hashCode()) + 1L).setCustomerId(customerId)
                .setProductId(productId).setQuantity(1).setAmountMinor(amountMinor).setCurrency(currency).setStatus("PLACED")
                .setEventTime(placed.truncatedTo(ChronoUnit.MILLIS)).setSource(OrderSource.DIRECT).build();
    }

    private static EnrichedOrder enrichedOrder(int quantity) {
        return EnrichedOrder.newBuilder().setEventId("direct-enriched-" + quantity).setOrderId(900 + quantity)
                .setCustomerId(1).setProductId(11).setQuantity(quantity).setAmountMinor(100).setCurrency("EUR")
                .setStatus("PLACED").setEventTime(Instant.now().truncatedTo(ChronoUnit.MILLIS)).setSource(OrderSource.DIRECT)
                .setCustomerCountry("DE").setCustomerTier("gold").setCustomerEmailMasked("a***@example.com")
                .setProductName("Dune").setProductCategory(quantity > 0 ? "books" : "books").build();
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[24];
        new Random().nextBytes(bytes);
        bytes[0] = 0x7b; // never the magic byte
        return bytes;
    }

    private record Expected(String topic, int partition, long offset, String cause) {
    }
}
