package dev.streamfold.enrichment.join;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.accounting.RecordAccounting.Outcome;
import dev.streamfold.common.deadletter.DeadLetterHeaders;
import dev.streamfold.common.order.InvalidOrderException;
import dev.streamfold.common.order.OrderRules;
import dev.streamfold.common.order.SourceStreamTime;
import dev.streamfold.common.reference.ValidFrom;
import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.common.streams.StreamsDefaults;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.schemas.Customer;
import dev.streamfold.schemas.EnrichedOrder;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.OrderOperation;
import dev.streamfold.schemas.OrderSource;
import dev.streamfold.schemas.Product;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnrichmentTopologyTest {

    private static final Instant CUSTOMER_UPDATED = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant ORDER_PLACED = Instant.parse("2026-03-01T10:05:00Z");
    private static final Instant WALL_CLOCK_START = Instant.parse("2026-03-01T10:05:01Z");
    private static final Duration MAX_WAIT = Duration.ofSeconds(30);
    private static final Duration RETRY_INTERVAL = Duration.ofSeconds(1);
    private static final Duration HISTORY = Duration.ofDays(36_500);

    @TempDir
    Path stateDir;

    private final Topics topics = new Topics(AvroBinarySerde.factory());
    private final RecordAccounting accounting = RecordAccounting.inMemory("enrichment-test");
    private final List<ProducerRecord<byte[], byte[]>> catalogueDeadLetters = new ArrayList<>();
    private TopologyTestDriver driver;
    private TestInputTopic<String, Customer> customers;
    private TestInputTopic<String, Product> products;
    private TestInputTopic<String, Order> orders;
    private TestInputTopic<byte[], byte[]> rawOrders;
    private TestOutputTopic<String, EnrichedOrder> enriched;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    @BeforeEach
    void startDriver() {
        // The production settings, so that the real dead-letter handlers take part
        driver = new TopologyTestDriver(EnrichmentTopology.build(topics, new ReferenceWait(MAX_WAIT, RETRY_INTERVAL),
                        HISTORY, OrderRules.defaults(), accounting, catalogueDeadLetters::add),
                StreamsDefaults.exactlyOnce("enrichment-test", "127.0.0.1:9", stateDir.toString(), (short) 1, accounting),
                WALL_CLOCK_START);
        customers = input(topics.customers());
        products = input(topics.products());
        orders = input(topics.orders());
        rawOrders = driver.createInputTopic(topics.orders().name(), new ByteArraySerializer(), new ByteArraySerializer());
        enriched = driver.createOutputTopic(topics.ordersEnriched().name(),
                topics.ordersEnriched().keySerde().deserializer(), topics.ordersEnriched().valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(topics.orders().deadLetterTopicName(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void shouldEnrichAnOrderWithItsCustomerAndProduct() {
        // Given a known customer and product
        customers.pipeInput("7", customer(7, "jane.doe@example.com", "DE", "GOLD"), CUSTOMER_UPDATED);
        products.pipeInput("42", product(42, "Espresso machine", "kitchen"), CUSTOMER_UPDATED);
        // When the customer orders the product
        orders.pipeInput("7", order(1001, 7, 42), ORDER_PLACED);
        // Then exactly one enriched order comes out at once (no retry needed), keyed by customer id, e-mail masked
        assertThat(enriched.readKeyValuesToList()).containsExactly(KeyValue.pair("7", EnrichedOrder.newBuilder()
                .setEventId("evt-1001")
                .setOrderId(1001)
                .setCustomerId(7)
                .setProductId(42)
                .setQuantity(2)
                .setAmountMinor(25_998)
                .setCurrency("EUR")
                .setStatus("PLACED")
                .setEventTime(ORDER_PLACED)
                .setSource(OrderSource.DIRECT)
                .setCustomerCountry("DE")
                .setCustomerTier("GOLD")
                .setCustomerEmailMasked("j***@example.com")
                .setProductName("Espresso machine")
                .setProductCategory("kitchen")
                .build()));
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(awaitingOrders()).isEmpty();
    }

    @Test
    void shouldJoinAnOrderOnThePartitionOwningItsCustomerWhereItIsRead() {
        // Given customer 2, whose key the default partitioner puts on partition 0, where the driver reads everything
        assertThat(RouteToOwnPartition.ownerOf("2", topics.orders().partitions())).isZero();
        customers.pipeInput("2", customer(2, "max@example.com", "AT", "SILVER"), CUSTOMER_UPDATED);
        products.pipeInput("42", product(42, "Espresso machine", "kitchen"), CUSTOMER_UPDATED);
        // When they order
        orders.pipeInput("2", order(6001, 2, 42), ORDER_PLACED);
        // Then the order is enriched without being re-routed
        TestRecord<String, EnrichedOrder> output = enriched.readRecord();
        assertThat(output.value().getOrderId()).isEqualTo(6001L);
        assertThat(output.headers().lastHeader(RouteToOwnPartition.REROUTED_FROM_TOPIC)).isNull();
    }

    @Test
    void shouldRerouteAnOrderPublishedOnAPartitionThatDoesNotOwnItsCustomer() {
        // Given customer 7, owned by partition 3, and an order of theirs read on partition 0 (as a CRC32 partitioner may)
        assertThat(RouteToOwnPartition.ownerOf("7", topics.orders().partitions())).isEqualTo(3);
        customers.pipeInput("7", customer(7, "jane.doe@example.com", "DE", "GOLD"), CUSTOMER_UPDATED);
        products.pipeInput("42", product(42, "Espresso machine", "kitchen"), CUSTOMER_UPDATED);
        // When it is read
        orders.pipeInput("7", order(6002, 7, 42), ORDER_PLACED);
        // Then it is enriched (after one hop to its owner), not dead-lettered, and says where it was first read
        TestRecord<String, EnrichedOrder> output = enriched.readRecord();
        assertThat(output.value().getOrderId()).isEqualTo(6002L);
        assertThat(new String(output.headers().lastHeader(RouteToOwnPartition.REROUTED_FROM_PARTITION).value(), UTF_8))
                .isEqualTo("0");
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void shouldStampEveryOrderWithTheProgressOfThePartitionItWasFirstReadFromReroutedOrNot() {
        // Given customers 2 (owned by partition 0, where the driver reads) and 7 (owned by partition 3)
        customers.pipeInput("2", customer(2, "max@example.com", "AT", "SILVER"), CUSTOMER_UPDATED);
        customers.pipeInput("7", customer(7, "jane.doe@example.com", "DE", "GOLD"), CUSTOMER_UPDATED);
        products.pipeInput("42", product(42, "Espresso machine", "kitchen"), CUSTOMER_UPDATED);
        // When partition 0 delivers an order placed at ORDER_PLACED, then one placed a minute before it, to be re-routed
        orders.pipeInput("2", order(6001, 2, 42), ORDER_PLACED);
        orders.pipeInput("7", placedAt(order(6002, 7, 42), ORDER_PLACED.minus(Duration.ofMinutes(1))), ORDER_PLACED);
        // Then both carry the source partition's progress when they were read: the detour does not reset it
        assertThat(enriched.readRecordsToList()).extracting(record -> record.value().getOrderId(),
                        record -> SourceStreamTime.of(record.headers()).orElseThrow())
                .containsExactlyInAnyOrder(tuple(6001L, ORDER_PLACED.toEpochMilli()), tuple(6002L, ORDER_PLACED.toEpochMilli()));
    }

    @Test
    void shouldJudgeTheDatabaseCaptureByItsOwnProgressWhileDirectPublishersMoveOn() {
        // Given customer 2 and a product, and the database capture's last order placed five minutes ago
        customers.pipeInput("2", customer(2, "max@example.com", "AT", "SILVER"), CUSTOMER_UPDATED);
        products.pipeInput("42", product(42, "Espresso machine", "kitchen"), CUSTOMER_UPDATED);
        Instant captured = ORDER_PLACED.minus(Duration.ofMinutes(5));
        orders.pipeInput("2", fromDatabase(placedAt(order(6010, 2, 42), captured)), ORDER_PLACED);
        // When an application publishes an order placed now, and then the capture resumes with an order placed a
        // minute after its last one (it was down meanwhile)
        orders.pipeInput("2", order(6011, 2, 42), ORDER_PLACED);
        orders.pipeInput("2", fromDatabase(placedAt(order(6012, 2, 42), captured.plus(Duration.ofMinutes(1)))), ORDER_PLACED);
        // Then each order carries the progress of its own publisher on that partition: the capture's backlog is judged
        // by the capture's progress, not made late by the application's
        assertThat(enriched.readRecordsToList()).extracting(record -> record.value().getOrderId(),
                        record -> SourceStreamTime.of(record.headers()).orElseThrow())
                .containsExactly(tuple(6010L, captured.toEpochMilli()), tuple(6011L, ORDER_PLACED.toEpochMilli()),
                        tuple(6012L, captured.plus(Duration.ofMinutes(1)).toEpochMilli()));
    }

    @Test
    void shouldNeverMoveTheSourceProgressPastTheWallClock() {
        // Given a known customer and product
        customers.pipeInput("2", customer(2, "max@example.com", "AT", "SILVER"), CUSTOMER_UPDATED);
        products.pipeInput("42", product(42, "Espresso machine", "kitchen"), CUSTOMER_UPDATED);
        // When an order comes from a clock 30 minutes fast (within the allowed skew)
        orders.pipeInput("2", placedAt(order(6003, 2, 42), WALL_CLOCK_START.plus(Duration.ofMinutes(30))), ORDER_PLACED);
        // Then it is enriched, but the progress it carries is the wall clock, so it closes no window early downstream
        assertThat(SourceStreamTime.of(enriched.readRecord().headers())).hasValue(WALL_CLOCK_START.toEpochMilli());
    }

    @Test
    void shouldNeverPublishTheCustomersEmailAddress() {
        // Given a customer
        customers.pipeInput("7", customer(7, "jane.doe@example.com", "DE", "GOLD"), CUSTOMER_UPDATED);
        products.pipeInput("42", product(42, "Espresso machine", "kitchen"), CUSTOMER_UPDATED);
        // When an order of theirs is enriched
        orders.pipeInput("7", order(1001, 7, 42), ORDER_PLACED);
        // Then the output record carries only the masked address
        TestRecord<byte[], byte[]> raw = driver.createOutputTopic(topics.ordersEnriched().name(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer()).readRecord();
        assertThat(new String(raw.value(), UTF_8)).contains("j***@example.com").doesNotContain("jane.doe");
    }

    @Test
    void shouldEnrichAnOrderThatArrivesBeforeItsCustomer() {
        // Given a product but no customer 7 yet
        products.pipeInput("42", product(42, "Espresso machine", "kitchen"), CUSTOMER_UPDATED);
        orders.pipeInput("7", order(1001, 7, 42), ORDER_PLACED);
        assertThat(enriched.isEmpty()).isTrue();
        // When the customer arrives and the next retry runs
        customers.pipeInput("7", customer(7, "jane.doe@example.com", "DE", "GOLD"), CUSTOMER_UPDATED);
        driver.advanceWallClockTime(RETRY_INTERVAL);
        // Then the order is enriched once, with the order's own timestamp, and no longer waits
        TestRecord<String, EnrichedOrder> output = enriched.readRecord();
        assertThat(output.key()).isEqualTo("7");
        assertThat(output.value()).extracting(EnrichedOrder::getOrderId, EnrichedOrder::getCustomerCountry,
                EnrichedOrder::getCustomerEmailMasked).containsExactly(1001L, "DE", "j***@example.com");
        assertThat(output.getRecordTime()).isEqualTo(ORDER_PLACED);
        assertThat(awaitingOrders()).isEmpty();
        driver.advanceWallClockTime(MAX_WAIT.plus(RETRY_INTERVAL));
        assertThat(enriched.isEmpty()).isTrue();
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void shouldEnrichAnOrderThatArrivesBeforeItsProduct() {
        // Given a customer but no product 42 yet
        customers.pipeInput("7", customer(7, "jane.doe@example.com", "DE", "GOLD"), CUSTOMER_UPDATED);
        orders.pipeInput("7", order(1001, 7, 42), ORDER_PLACED);
        driver.advanceWallClockTime(RETRY_INTERVAL.multipliedBy(5));
        assertThat(enriched.isEmpty()).isTrue();
        // When the product arrives, well within the maximum wait, and the next retry runs
        products.pipeInput("42", product(42, "Espresso machine", "kitchen"), CUSTOMER_UPDATED);
        driver.advanceWallClockTime(RETRY_INTERVAL);
        // Then the order is enriched with it
        assertThat(enriched.readValuesToList()).extracting(EnrichedOrder::getOrderId, EnrichedOrder::getProductName)
                .containsExactly(tuple(1001L, "Espresso machine"));
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void shouldNotHoldBackAnOrderBehindAnotherThatWaits() {
        // Given customer 7 and product 42, and an order of product 43 that waits
        customers.pipeInput("7", customer(7, "jane.doe@example.com", "DE", "GOLD"), CUSTOMER_UPDATED);
        products.pipeInput("42", product(42, "Espresso machine", "kitchen"), CUSTOMER_UPDATED);
        orders.pipeInput("7", order(1003, 7, 43), ORDER_PLACED);
        // When the same customer orders product 42
        orders.pipeInput("7", order(1004, 7, 42), ORDER_PLACED.plusSeconds(1));
        // Then that order is enriched at once, while the other still waits
        assertThat(enriched.readValuesToList()).extracting(EnrichedOrder::getOrderId).containsExactly(1004L);
        assertThat(awaitingOrders()).containsExactly("evt-1003");
    }

    @Test
    void shouldDeadLetterAnOrderOfAnUnknownCustomerOnlyAfterTheMaximumWait() {
        // Given a product but no customer 8
        products.pipeInput("42", product(42, "Espresso machine", "kitchen"), CUSTOMER_UPDATED);
        Order order = order(1002, 8, 42);
        // When customer 8 orders, and the customer is still unknown just before the maximum wait
        orders.pipeInput("8", order, ORDER_PLACED);
        driver.advanceWallClockTime(MAX_WAIT.minus(RETRY_INTERVAL));
        // Then the order is neither enriched nor dead-lettered yet
        assertThat(enriched.isEmpty()).isTrue();
        assertThat(deadLetters.isEmpty()).isTrue();
        // When the maximum wait has passed
        driver.advanceWallClockTime(RETRY_INTERVAL.multipliedBy(2));
        // Then the order is dead-lettered once, with the reason and where it was read from, and no longer waits
        TestRecord<byte[], byte[]> deadLetter = deadLetters.readRecord();
        assertThat(deadLetter.value()).isEqualTo(topics.orders().valueSerde().serializer().serialize(topics.orders().name(), order));
        assertThat(new String(deadLetter.key(), UTF_8)).isEqualTo("8");
        assertThat(DeadLetterHeaders.text(deadLetter.headers(), DeadLetterHeaders.ERROR_CLASS))
                .isEqualTo(MissingReferenceException.class.getName());
        assertThat(DeadLetterHeaders.text(deadLetter.headers(), DeadLetterHeaders.ERROR_MESSAGE))
                .contains("customer 8", "after waiting PT30S").doesNotContain("product");
        assertThat(DeadLetterHeaders.text(deadLetter.headers(), DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(topics.orders().name());
        assertThat(DeadLetterHeaders.text(deadLetter.headers(), DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo("0");
        assertThat(DeadLetterHeaders.text(deadLetter.headers(), DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("0");
        assertThat(DeadLetterHeaders.text(deadLetter.headers(), DeadLetterHeaders.SERVICE)).isEqualTo("enrichment-test");
        assertThat(Instant.parse(DeadLetterHeaders.text(deadLetter.headers(), DeadLetterHeaders.FAILED_AT)))
                .isAfterOrEqualTo(WALL_CLOCK_START.plus(MAX_WAIT));
        assertThat(enriched.isEmpty()).isTrue();
        assertThat(awaitingOrders()).isEmpty();
        driver.advanceWallClockTime(MAX_WAIT);
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void shouldNotDeadLetterAWaitingOrderWhileWhatWasWrittenAfterItIsStillBeingRead() {
        // Given a known customer 7 and product, and an order of customer 8, not known yet, written at ORDER_PLACED
        customers.pipeInput("7", customer(7, "jane.doe@example.com", "DE", "GOLD"), CUSTOMER_UPDATED);
        products.pipeInput("42", product(42, "Espresso machine", "kitchen"), CUSTOMER_UPDATED);
        orders.pipeInput("8", order(5001, 8, 42), ORDER_PLACED);
        // When the service reads a backlog written in the seconds after it, slowly: twice the maximum wait goes by
        for (int second = 1; second <= 12; second++) {
            driver.advanceWallClockTime(Duration.ofSeconds(5));
            orders.pipeInput("7", order(5100 + second, 7, 42), ORDER_PLACED.plusSeconds(second));
        }
        // Then the order still waits, and when customer 8, written within the wait, is read, it is enriched
        assertThat(deadLetters.isEmpty()).isTrue();
        customers.pipeInput("8", customer(8, "max@example.com", "AT", "SILVER"), ORDER_PLACED.plusSeconds(20));
        driver.advanceWallClockTime(RETRY_INTERVAL);
        assertThat(enriched.readValuesToList()).extracting(EnrichedOrder::getOrderId).contains(5001L);
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void shouldDeadLetterAWaitingOrderOnceEverythingWrittenWithinTheWaitHasBeenRead() {
        // Given a known customer 7 and product, and an order of customer 8, who never comes
        customers.pipeInput("7", customer(7, "jane.doe@example.com", "DE", "GOLD"), CUSTOMER_UPDATED);
        products.pipeInput("42", product(42, "Espresso machine", "kitchen"), CUSTOMER_UPDATED);
        orders.pipeInput("8", order(5002, 8, 42), ORDER_PLACED);
        // When the service has been running for the maximum wait and has read orders written past the wait
        driver.advanceWallClockTime(MAX_WAIT);
        orders.pipeInput("7", order(5003, 7, 42), ORDER_PLACED.plus(MAX_WAIT).plusSeconds(1));
        driver.advanceWallClockTime(RETRY_INTERVAL);
        // Then it is dead-lettered, naming the customer
        assertThat(DeadLetterHeaders.text(deadLetters.readRecord().headers(), DeadLetterHeaders.ERROR_MESSAGE))
                .contains("customer 8");
    }

    @Test
    void shouldDeadLetterTheOldestWaitingOrderWhenNoMoreMayWait(@TempDir Path boundedStateDir) {
        // Given a service where only two orders may wait at once, and a product but no customer 8
        try (TopologyTestDriver bounded = new TopologyTestDriver(EnrichmentTopology.build(topics,
                        new ReferenceWait(MAX_WAIT, RETRY_INTERVAL, 2, ReferenceWait.DEFAULT_MAX_AWAITING_BYTES), HISTORY,
                        OrderRules.defaults(), accounting, catalogueDeadLetters::add),
                StreamsDefaults.exactlyOnce("enrichment-test", "127.0.0.1:9", boundedStateDir.toString(), (short) 1, accounting),
                WALL_CLOCK_START)) {
            bounded.createInputTopic(topics.products().name(), topics.products().keySerde().serializer(),
                    topics.products().valueSerde().serializer()).pipeInput("42", product(42, "Kettle", "kitchen"), CUSTOMER_UPDATED);
            TestInputTopic<String, Order> boundedOrders = bounded.createInputTopic(topics.orders().name(),
                    topics.orders().keySerde().serializer(), topics.orders().valueSerde().serializer());
            // When three of customer 8's orders wait, one second apart
            for (long orderId = 5001; orderId <= 5003; orderId++) {
                boundedOrders.pipeInput("8", order(orderId, 8, 42), ORDER_PLACED);
                bounded.advanceWallClockTime(RETRY_INTERVAL);
            }
            // Then the first is dead-lettered at once, saying why, and the two newest still wait
            TestRecord<byte[], byte[]> deadLetter = bounded.createOutputTopic(topics.orders().deadLetterTopicName(),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer()).readRecord();
            assertThat(topics.orders().valueSerde().deserializer().deserialize(topics.orders().name(), deadLetter.value())
                    .getOrderId()).isEqualTo(5001L);
            assertThat(DeadLetterHeaders.text(deadLetter.headers(), DeadLetterHeaders.ERROR_MESSAGE))
                    .contains("customer 8", "no room left to wait", "enrichment.max-awaiting-orders");
            assertThat(awaitingOrders(bounded)).containsExactly("evt-5002", "evt-5003");
        }
    }

    @Test
    void shouldKeepTheOrdersHeadersInItsDeadLetter() {
        // Given an order with a header of its publisher, whose product never arrives
        customers.pipeInput("7", customer(7, "jane.doe@example.com", "DE", "GOLD"), CUSTOMER_UPDATED);
        Headers headers = new RecordHeaders().add("trace-id", "abc".getBytes(UTF_8));
        orders.pipeInput(new TestRecord<>("7", order(1003, 7, 43), headers, ORDER_PLACED));
        // When the maximum wait has passed
        driver.advanceWallClockTime(MAX_WAIT.plus(RETRY_INTERVAL));
        // Then the dead letter carries the publisher's header besides ours, and names the missing product
        TestRecord<byte[], byte[]> deadLetter = deadLetters.readRecord();
        assertThat(DeadLetterHeaders.text(deadLetter.headers(), "trace-id")).isEqualTo("abc");
        assertThat(DeadLetterHeaders.text(deadLetter.headers(), DeadLetterHeaders.ERROR_MESSAGE))
                .contains("product 43").doesNotContain("customer");
    }

    @Test
    void shouldDeadLetterAnOrderWhoseCustomerAndProductAreBothUnknown() {
        // When an order refers to neither a known customer nor a known product, and the maximum wait passes
        orders.pipeInput("9", order(1007, 9, 44), ORDER_PLACED);
        driver.advanceWallClockTime(MAX_WAIT.plus(RETRY_INTERVAL));
        // Then its dead letter names both
        assertThat(DeadLetterHeaders.text(deadLetters.readRecord().headers(), DeadLetterHeaders.ERROR_MESSAGE))
                .contains("customer 9 and product 44");
    }

    @Test
    void shouldDeadLetterAnOrderNotKeyedByItsCustomer() {
        // Given customers 7 and 8, and a product
        customers.pipeInput("7", customer(7, "jane.doe@example.com", "DE", "GOLD"), CUSTOMER_UPDATED);
        customers.pipeInput("8", customer(8, "max@example.com", "AT", "SILVER"), CUSTOMER_UPDATED);
        products.pipeInput("42", product(42, "Espresso machine", "kitchen"), CUSTOMER_UPDATED);
        // When an order of customer 7 is published under customer 8's key
        orders.pipeInput("8", order(1006, 7, 42), ORDER_PLACED);
        // Then it is not joined with the wrong customer but dead-lettered
        assertThat(enriched.isEmpty()).isTrue();
        TestRecord<byte[], byte[]> deadLetter = deadLetters.readRecord();
        assertThat(DeadLetterHeaders.text(deadLetter.headers(), DeadLetterHeaders.ERROR_CLASS))
                .isEqualTo(InvalidOrderException.class.getName());
        assertThat(DeadLetterHeaders.text(deadLetter.headers(), DeadLetterHeaders.ERROR_MESSAGE))
                .contains("keyed by 8", "customer id 7");
    }

    @Test
    void shouldDeadLetterAnOrderEventWithoutValue() {
        // When an order event arrives with no value, which the join would drop without a trace
        orders.pipeInput("7", null, ORDER_PLACED);
        // Then it is dead-lettered
        assertThat(enriched.isEmpty()).isTrue();
        TestRecord<byte[], byte[]> deadLetter = deadLetters.readRecord();
        assertThat(deadLetter.value()).isNull();
        assertThat(DeadLetterHeaders.text(deadLetter.headers(), DeadLetterHeaders.ERROR_CLASS))
                .isEqualTo(InvalidOrderException.class.getName());
    }

    @Test
    void shouldJoinEachOrderWithTheCustomerAsTheyWereWhenItWasPlacedWhateverTheOrderOfProcessing() {
        // Given a customer known from the start (snapshot), who moved from Germany to France a minute after ORDER_PLACED
        Instant moved = ORDER_PLACED.plusSeconds(60);
        products.pipeInput("42", product(42, "Espresso machine", "kitchen"), CUSTOMER_UPDATED);
        customers.pipeInput("7", customer(7, "jane.doe@example.com", "DE", "GOLD"), CUSTOMER_UPDATED);
        customers.pipeInput("7", validFrom(customer(7, "jane@example.org", "FR", "PLATINUM"), moved), moved);
        // When an order placed before the move is processed only after it, and another one placed after it
        orders.pipeInput("7", order(1001, 7, 42), moved.plusSeconds(5));
        orders.pipeInput("7", placedAt(order(1004, 7, 42), moved.plusSeconds(60)), moved.plusSeconds(60));
        // Then each order carries the customer version valid when it was placed, and says which one
        assertThat(enriched.readValuesToList()).extracting(EnrichedOrder::getOrderId, EnrichedOrder::getCustomerCountry,
                        EnrichedOrder::getCustomerTier, EnrichedOrder::getCustomerEmailMasked, EnrichedOrder::getCustomerValidFrom)
                .containsExactly(
                        tuple(1001L, "DE", "GOLD", "j***@example.com", Instant.EPOCH),
                        tuple(1004L, "FR", "PLATINUM", "j***@example.org", moved));
    }

    @Test
    void shouldJoinEachOrderWithTheProductCategoryValidWhenItWasPlaced() {
        // Given a product recategorised thirty seconds after ORDER_PLACED, and a known customer
        Instant recategorised = ORDER_PLACED.plusSeconds(30);
        customers.pipeInput("7", customer(7, "jane.doe@example.com", "DE", "GOLD"), CUSTOMER_UPDATED);
        products.pipeInput("42", product(42, "Espresso machine", "kitchen"), CUSTOMER_UPDATED);
        products.pipeInput("42", validFrom(product(42, "Espresso machine", "appliances"), recategorised), recategorised);
        // When orders placed before and after it are processed after the change
        orders.pipeInput("7", order(1001, 7, 42), recategorised.plusSeconds(1));
        orders.pipeInput("7", placedAt(order(1002, 7, 42), recategorised.plusSeconds(1)), recategorised.plusSeconds(1));
        // Then the first keeps the old category, the second has the new one
        assertThat(enriched.readValuesToList()).extracting(EnrichedOrder::getOrderId, EnrichedOrder::getProductCategory,
                        EnrichedOrder::getProductValidFrom)
                .containsExactly(tuple(1001L, "kitchen", Instant.EPOCH), tuple(1002L, "appliances", recategorised));
    }

    @Test
    void shouldTreatAnOrderPlacedBeforeTheCustomersFirstKnownVersionAsMissingItsCustomer() {
        // Given customer 7 known only from a version valid a minute after ORDER_PLACED (its earlier ones not read)
        products.pipeInput("42", product(42, "Espresso machine", "kitchen"), CUSTOMER_UPDATED);
        Instant known = ORDER_PLACED.plusSeconds(60);
        customers.pipeInput("7", validFrom(customer(7, "jane.doe@example.com", "DE", "GOLD"), known), known);
        // When an order placed before that is read, and everything written within the wait after it too
        orders.pipeInput("7", order(1001, 7, 42), known);
        orders.pipeInput("7", placedAt(order(1002, 7, 42), known.plusSeconds(1)), known.plus(MAX_WAIT));
        assertThat(enriched.readValuesToList()).extracting(EnrichedOrder::getOrderId).containsExactly(1002L);
        driver.advanceWallClockTime(MAX_WAIT.plus(RETRY_INTERVAL));
        // Then, after the wait, it is dead-lettered as having no customer at its event time
        TestRecord<byte[], byte[]> deadLetter = deadLetters.readRecord();
        assertThat(DeadLetterHeaders.text(deadLetter.headers(), DeadLetterHeaders.ERROR_MESSAGE))
                .contains("customer 7", "unknown at its event time " + ORDER_PLACED);
    }

    @Test
    void shouldEndACustomersValidityAtTheTimeOfTheirDelete() {
        // Given a customer deleted a minute after ORDER_PLACED (the time ingest puts in the tombstone's header)
        Instant deleted = ORDER_PLACED.plusSeconds(60);
        products.pipeInput("42", product(42, "Espresso machine", "kitchen"), CUSTOMER_UPDATED);
        customers.pipeInput("7", customer(7, "jane.doe@example.com", "DE", "GOLD"), CUSTOMER_UPDATED);
        RecordHeaders headers = new RecordHeaders();
        ValidFrom.stamp(headers, deleted.toEpochMilli());
        customers.pipeInput(new TestRecord<>("7", null, headers, deleted.plusSeconds(2)));
        // When an order placed before the delete and one placed after it are read after it
        orders.pipeInput("7", order(1001, 7, 42), deleted.plusSeconds(3));
        orders.pipeInput("7", placedAt(order(1002, 7, 42), deleted.plusSeconds(1)), deleted.plusSeconds(3));
        // Then the first is enriched with the customer as they were, the second waits for a customer
        assertThat(enriched.readValuesToList()).extracting(EnrichedOrder::getOrderId).containsExactly(1001L);
        assertThat(awaitingOrders()).containsExactly("evt-1002");
    }

    /**
     * TopologyTestDriver 4.2.1 calls the deserialization handler but does not surface the dead letters it returns
     * (those of the processing handler it does), so the poison's dead letter itself is proven in EnrichmentServiceIT.
     */
    @Test
    void shouldSkipPoisonAndEnrichTheNextGoodOrder() {
        // Given a known customer and product
        customers.pipeInput("7", customer(7, "jane.doe@example.com", "DE", "GOLD"), CUSTOMER_UPDATED);
        products.pipeInput("42", product(42, "Espresso machine", "kitchen"), CUSTOMER_UPDATED);
        byte[] poison = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 2, 3};
        // When bytes that are no Avro order arrive, then a good order
        rawOrders.pipeInput("7".getBytes(UTF_8), poison, ORDER_PLACED);
        orders.pipeInput("7", order(1005, 7, 42), ORDER_PLACED.plusSeconds(1));
        // Then the task survives the poison and enriches the good order
        assertThat(enriched.readValuesToList()).extracting(EnrichedOrder::getOrderId).containsExactly(1005L);
    }

    @Test
    void shouldDeadLetterOrdersThatBreakTheSharedRuleWithTheirReason() {
        // Given a known customer and product
        customers.pipeInput("7", customer(7, "jane.doe@example.com", "DE", "GOLD"), CUSTOMER_UPDATED);
        products.pipeInput("42", product(42, "Espresso machine", "kitchen"), CUSTOMER_UPDATED);
        // When orders with a zero quantity, a bad currency and an event time in year 9999 arrive, then a good one
        orders.pipeInput("7", Order.newBuilder(order(2001, 7, 42)).setQuantity(0).build(), ORDER_PLACED);
        orders.pipeInput("7", Order.newBuilder(order(2002, 7, 42)).setCurrency("eu1").build(), ORDER_PLACED);
        orders.pipeInput("7", Order.newBuilder(order(2003, 7, 42)).setEventTime(Instant.parse("9999-12-31T00:00:00Z")).build(), ORDER_PLACED);
        orders.pipeInput("7", order(2004, 7, 42), ORDER_PLACED);
        // Then each invalid one is dead-lettered naming its violation, and only the good one is enriched
        assertThat(deadLetters.readRecordsToList()).extracting(
                        letter -> DeadLetterHeaders.text(letter.headers(), DeadLetterHeaders.ERROR_MESSAGE))
                .satisfiesExactly(
                        message -> assertThat(message).contains("Order 2001", "quantity must be positive, was 0"),
                        message -> assertThat(message).contains("Order 2002", "currency 'eu1' is not an ISO 4217 code"),
                        message -> assertThat(message).contains("Order 2003", "9999-12-31T00:00:00Z is more than PT1H in the future"));
        assertThat(enriched.readValuesToList()).extracting(EnrichedOrder::getOrderId).containsExactly(2004L);
    }

    @Test
    void shouldDeadLetterCustomerRecordsWithoutKeyOrUnderAnotherCustomersKey() {
        // Given customers.dlq is watched
        TestOutputTopic<byte[], byte[]> customerDeadLetters = driver.createOutputTopic(
                topics.customers().deadLetterTopicName(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        products.pipeInput("42", product(42, "Espresso machine", "kitchen"), CUSTOMER_UPDATED);
        // When customer 7 arrives without a key and under customer 8's key
        customers.pipeInput(null, customer(7, "jane.doe@example.com", "DE", "GOLD"), CUSTOMER_UPDATED);
        customers.pipeInput("8", customer(7, "jane.doe@example.com", "DE", "GOLD"), CUSTOMER_UPDATED);
        // Then both are dead-lettered with the reason, and customer 8's orders are not given customer 7
        assertThat(customerDeadLetters.readRecordsToList()).extracting(
                        letter -> DeadLetterHeaders.text(letter.headers(), DeadLetterHeaders.ERROR_MESSAGE))
                .containsExactly("A customers record has no key; it must be keyed by the customer id",
                        "Customer 7 is keyed by 8, not by its id");
        orders.pipeInput("8", order(3001, 8, 42), ORDER_PLACED);
        assertThat(enriched.isEmpty()).isTrue();
        assertThat(awaitingOrders()).containsExactly("evt-3001");
    }

    @Test
    void shouldApplyACustomerTombstoneAsADelete() {
        // Given a known customer who is then deleted
        products.pipeInput("42", product(42, "Espresso machine", "kitchen"), CUSTOMER_UPDATED);
        customers.pipeInput("7", customer(7, "jane.doe@example.com", "DE", "GOLD"), CUSTOMER_UPDATED);
        customers.pipeInput("7", null, CUSTOMER_UPDATED.plusSeconds(1));
        // When they order
        orders.pipeInput("7", order(3002, 7, 42), ORDER_PLACED);
        // Then the order waits for the customer like one of an unknown customer
        assertThat(enriched.isEmpty()).isTrue();
        assertThat(awaitingOrders()).containsExactly("evt-3002");
    }

    @Test
    void shouldDeadLetterProductRecordsTheCatalogueCannotTakeAndKeepServingTheOthers() {
        // Given a known customer, and products records: unreadable bytes, a product under another id, no key, a good one
        customers.pipeInput("7", customer(7, "jane.doe@example.com", "DE", "GOLD"), CUSTOMER_UPDATED);
        TestInputTopic<byte[], byte[]> rawProducts = driver.createInputTopic(topics.products().name(),
                new ByteArraySerializer(), new ByteArraySerializer());
        rawProducts.pipeInput("41".getBytes(UTF_8), new byte[] {1, 2, 3}, CUSTOMER_UPDATED);
        products.pipeInput("43", product(42, "Espresso machine", "kitchen"), CUSTOMER_UPDATED);
        products.pipeInput(null, product(44, "Grinder", "kitchen"), CUSTOMER_UPDATED);
        products.pipeInput("42", product(42, "Espresso machine", "kitchen"), CUSTOMER_UPDATED);
        // When an order of product 42 arrives
        orders.pipeInput("7", order(3003, 7, 42), ORDER_PLACED);
        // Then the three bad records went to products.dlq with their reasons, and the order is enriched
        assertThat(catalogueDeadLetters).extracting(ProducerRecord::topic).containsOnly(topics.products().deadLetterTopicName());
        assertThat(catalogueDeadLetters).extracting(letter -> DeadLetterHeaders.text(letter.headers(), DeadLetterHeaders.ERROR_MESSAGE))
                .satisfiesExactly(
                        message -> assertThat(message).startsWith("not an Avro dev.streamfold.schemas.Product record"),
                        message -> assertThat(message).isEqualTo("Product 42 is keyed by 43, not by its id"),
                        message -> assertThat(message).isEqualTo("A products record has no key; it must be keyed by the product id"));
        assertThat(catalogueDeadLetters.getFirst().value()).containsExactly(1, 2, 3);
        assertThat(enriched.readValuesToList()).extracting(EnrichedOrder::getProductName).containsExactly("Espresso machine");
        assertThat(accounting.count(topics.products().name(), Outcome.RECEIVED)).isEqualTo(4);
        assertThat(accounting.count(topics.products().name(), Outcome.DEAD_LETTERED)).isEqualTo(3);
        assertThat(accounting.count(topics.products().name(), Outcome.FORWARDED)).isEqualTo(1);
    }

    @Test
    void shouldAccountForEveryOrderItReads() {
        // Given a known customer and product
        customers.pipeInput("7", customer(7, "jane.doe@example.com", "DE", "GOLD"), CUSTOMER_UPDATED);
        products.pipeInput("42", product(42, "Espresso machine", "kitchen"), CUSTOMER_UPDATED);
        // When a good order, an invalid one, one under the wrong key and one of an unknown customer arrive
        orders.pipeInput("7", order(4001, 7, 42), ORDER_PLACED);
        orders.pipeInput("7", Order.newBuilder(order(4002, 7, 42)).setAmountMinor(-1).build(), ORDER_PLACED);
        orders.pipeInput("8", order(4003, 7, 42), ORDER_PLACED);
        orders.pipeInput("9", order(4004, 9, 42), ORDER_PLACED);
        driver.advanceWallClockTime(MAX_WAIT.plus(RETRY_INTERVAL));
        // Then received = forwarded + dead-lettered, with the records on the topics to match
        String stage = topics.orders().name();
        assertThat(accounting.count(stage, Outcome.RECEIVED)).isEqualTo(4);
        assertThat(accounting.count(stage, Outcome.FORWARDED)).isEqualTo(1).isEqualTo(enriched.getQueueSize());
        assertThat(accounting.count(stage, Outcome.DEAD_LETTERED)).isEqualTo(3).isEqualTo(deadLetters.getQueueSize());
    }

    private List<String> awaitingOrders() {
        return awaitingOrders(driver);
    }

    private static List<String> awaitingOrders(TopologyTestDriver driver) {
        List<String> eventIds = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> all = driver.<Bytes, byte[]>getKeyValueStore(
                EnrichmentTopology.AWAITING_REFERENCES_STORE).all()) {
            all.forEachRemaining(entry -> eventIds.add(AwaitingOrders.eventIdOf(entry.key)));
        }
        return eventIds;
    }

    private <K, V> TestInputTopic<K, V> input(Topic<K, V> topic) {
        return driver.createInputTopic(topic.name(), topic.keySerde().serializer(), topic.valueSerde().serializer());
    }

    private static Customer customer(long id, String email, String country, String tier) {
        return Customer.newBuilder().setId(id).setName("Jane Doe").setEmail(email).setCountry(country).setTier(tier)
                .setUpdatedAt(CUSTOMER_UPDATED).build();
    }

    private static Product product(long id, String name, String category) {
        return Product.newBuilder().setId(id).setName(name).setCategory(category).setPriceMinor(12_999)
                .setUpdatedAt(CUSTOMER_UPDATED).build();
    }

    private static Customer validFrom(Customer customer, Instant validFrom) {
        return Customer.newBuilder(customer).setValidFrom(validFrom).setUpdatedAt(validFrom).build();
    }

    private static Product validFrom(Product product, Instant validFrom) {
        return Product.newBuilder(product).setValidFrom(validFrom).setUpdatedAt(validFrom).build();
    }

    private static Order fromDatabase(Order order) {
        return Order.newBuilder(order).setSource(OrderSource.DATABASE).setOperation(OrderOperation.INSERT).setVersion(1L)
                .build();
    }

    private static Order placedAt(Order order, Instant eventTime) {
        return Order.newBuilder(order).setEventTime(eventTime).build();
    }

    private static Order order(long orderId, long customerId, long productId) {
        return Order.newBuilder().setEventId("evt-" + orderId).setOrderId(orderId).setCustomerId(customerId)
                .setProductId(productId).setQuantity(2).setAmountMinor(25_998).setCurrency("EUR").setStatus("PLACED")
                .setEventTime(ORDER_PLACED).setSource(OrderSource.DIRECT).build();
    }
}
