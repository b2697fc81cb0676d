package dev.streamfold.ingest.mapping;

import static dev.streamfold.ingest.mapping.DebeziumChanges.COMMIT_TS_MS;
import static dev.streamfold.ingest.mapping.DebeziumChanges.CUSTOMER_ROW;
import static dev.streamfold.ingest.mapping.DebeziumChanges.ORDER_ROW;
import static dev.streamfold.ingest.mapping.DebeziumChanges.PRODUCT_ROW;
import static dev.streamfold.ingest.mapping.DebeziumChanges.change;
import static dev.streamfold.ingest.mapping.DebeziumChanges.customer;
import static dev.streamfold.ingest.mapping.DebeziumChanges.keyOnly;
import static dev.streamfold.ingest.mapping.DebeziumChanges.order;
import static dev.streamfold.ingest.mapping.DebeziumChanges.product;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import dev.streamfold.common.order.InvalidOrderException;
import dev.streamfold.common.order.OrderRules;
import dev.streamfold.common.reference.ValidFrom;
import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.ingest.mapping.MappedChange.Publish;
import dev.streamfold.ingest.mapping.MappedChange.Skip;
import dev.streamfold.ingest.mapping.MappedChange.Unmappable;
import dev.streamfold.schemas.Customer;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.OrderOperation;
import dev.streamfold.schemas.OrderSource;
import dev.streamfold.schemas.Product;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ChangeEventMapperTest {

    private static final long LSN = 24_023_128L;
    /** The mapper's clock: orders of these tests were placed shortly before. */
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
    private static final Instant COMMITTED = Instant.ofEpochMilli(COMMIT_TS_MS);
    private static final Instant START_OF_TIME = Instant.ofEpochMilli(ValidFrom.START_OF_TIME);

    private static final String PLACED_AT = "2024-05-01T10:15:30.999999Z";
    /** {@link #PLACED_AT} in microseconds since the epoch. */
    private static final long PLACED_AT_MICROS = 1_714_558_530_999_999L;
    private static final String SHIPPED_AT = "2024-05-01T11:00:00.000001Z";
    private static final long SHIPPED_AT_MICROS = 1_714_561_200_000_001L;

    private final Topics topics = new Topics(AvroBinarySerde.factory(), "test.");
    private final OrderRules rules = OrderRules.defaults();
    private final ChangeEventMapper mapper = new ChangeEventMapper(topics, rules, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void shouldPublishAnInsertedCustomerAsItsLatestRowValidFromTheStartOfTime() {
        // Given an insert into customers
        var insert = change("customers", "c", null,
                customer(7, "Ada", "ada@example.com", "DE", "gold", "2024-05-01T10:15:30.123456Z"), LSN);

        // When mapped
        MappedChange mapped = mapper.map(insert);

        // Then it is the row, keyed by customer id, with updated_at cut to Avro's milliseconds, valid for every order
        Instant updatedAt = Instant.parse("2024-05-01T10:15:30.123Z");
        assertThat(mapped).isEqualTo(new Publish<>(topics.customers(), "7",
                new Customer(7L, "Ada", "ada@example.com", "DE", "gold", updatedAt, START_OF_TIME)));
    }

    @Test
    void shouldPublishAnUpdatedProductAsItsNewRowValidFromItsCommit() {
        // Given an update of a product's price, with an offset other than UTC
        var update = change("products", "u",
                product(100, "Kettle", "kitchen", 2_500L, "2024-05-01T10:00:00Z"),
                product(100, "Kettle", "kitchen", 2_750L, "2024-05-01T12:30:00+02:00"), LSN);

        // When mapped
        MappedChange mapped = mapper.map(update);

        // Then the new row replaces the old one, its update time in UTC, valid from when the update was committed
        Instant updatedAt = Instant.parse("2024-05-01T10:30:00Z");
        assertThat(mapped).isEqualTo(new Publish<>(topics.products(), "100",
                new Product(100L, "Kettle", "kitchen", 2_750L, updatedAt, COMMITTED)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            customers | r | 0
            customers | c | 0
            customers | u | 1714560000000
            products  | r | 0
            products  | c | 0
            products  | u | 1714560000000
            """)
    void shouldStartAVersionOfReferenceDataAtTheStartOfTimeUnlessItIsAnUpdate(String table, String op, long validFromMs) {
        // Given a row of reference data read by the snapshot, inserted or updated (committed at COMMIT_TS_MS)
        Struct row = table.equals("customers")
                ? customer(7, "Ada", "ada@example.com", "DE", "gold", "2024-05-01T10:15:30Z")
                : product(100, "Kettle", "kitchen", 2_500L, "2024-05-01T10:15:30Z");
        var changed = change(table, op, op.equals("u") ? row : null, row, LSN);

        // When mapped
        MappedChange mapped = mapper.map(changed);

        // Then a snapshot row or a new row is valid for orders of any time; an update from its commit on
        assertThat(validFrom(mapped)).isEqualTo(Instant.ofEpochMilli(validFromMs));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"customers", "products"})
    void shouldTurnADeleteIntoATombstoneStampedWithTheCommitTime(String table) {
        // Given a delete, whose old row holds only the primary key
        var delete = change(table, "d", keyOnly(table.equals("customers") ? CUSTOMER_ROW : PRODUCT_ROW, 7), null, LSN);

        // When mapped
        MappedChange mapped = mapper.map(delete);

        // Then it is a tombstone for the key, whose valid-from header says when the key stopped being valid
        RecordHeaders headers = new RecordHeaders();
        headers.add(ValidFrom.HEADER, Long.toString(COMMIT_TS_MS).getBytes(UTF_8));
        assertThat(mapped).asInstanceOf(type(Publish.class)).satisfies(tombstone -> {
            assertThat(tombstone.topic().name()).isEqualTo("test." + table);
            assertThat(tombstone.key()).isEqualTo("7");
            assertThat(tombstone.value()).isNull();
            assertThat(tombstone.headers()).isEqualTo(headers);
            assertThat(ValidFrom.of(tombstone.headers())).hasValue(COMMIT_TS_MS);
        });
    }

    @Test
    void shouldPublishASnapshotReadOrderKeyedByCustomerWithAnEventIdFromItsVersion() {
        // Given an order row, never changed since it was placed, read by the initial snapshot
        var read = change("orders", "r", null, order(42, 7, 100, 2, 5_000, "EUR", "PLACED", PLACED_AT), LSN);

        // When mapped
        MappedChange mapped = mapper.map(read);

        // Then it is the order's INSERT, keyed by customer, versioned by updated_at in microseconds, placed at created_at
        Instant placedAt = Instant.parse("2024-05-01T10:15:30.999Z");
        Order expected = Order.newBuilder()
                .setEventId("pg:orders:42:" + PLACED_AT_MICROS).setOrderId(42L).setCustomerId(7L).setProductId(100L)
                .setQuantity(2).setAmountMinor(5_000L).setCurrency("EUR").setStatus("PLACED").setEventTime(placedAt)
                .setSource(OrderSource.DATABASE).setOperation(OrderOperation.INSERT).setVersion(PLACED_AT_MICROS)
                .setChangedAt(placedAt).build();
        assertThat(mapped).isEqualTo(new Publish<>(topics.orders(), "7", expected));
    }

    @Test
    void shouldPublishAnUpdatedOrderAsAnUpdateVersionedByItsUpdatedAtInMicroseconds() {
        // Given an order shipped after it was placed (the trigger moved updated_at)
        var placed = order(42, 7, 100, 2, 5_000, "EUR", "PLACED", PLACED_AT);
        var shipped = order(42, 7, 100, 2, 5_000, "EUR", "SHIPPED", PLACED_AT, SHIPPED_AT);
        var update = change("orders", "u", placed, shipped, LSN);

        // When mapped
        Order order = publishedOrder(mapper.map(update));

        // Then it is an UPDATE with the new state, newer than the insert, still placed when it was placed
        assertThat(order.getOperation()).isEqualTo(OrderOperation.UPDATE);
        assertThat(order.getStatus()).isEqualTo("SHIPPED");
        assertThat(order.getVersion()).isEqualTo(SHIPPED_AT_MICROS).isGreaterThan(PLACED_AT_MICROS);
        assertThat(order.getEventId()).isEqualTo("pg:orders:42:" + SHIPPED_AT_MICROS);
        assertThat(order.getChangedAt()).isEqualTo(Instant.parse("2024-05-01T11:00:00Z"));
        assertThat(order.getEventTime()).isEqualTo(Instant.parse("2024-05-01T10:15:30.999Z"));
    }

    @Test
    void shouldRefuseAnUpdateThatDidNotMoveUpdatedAtRatherThanRepeatAVersion() {
        // Given an update of a table without the version trigger: the status changed, updated_at did not
        var placed = order(42, 7, 100, 2, 5_000, "EUR", "PLACED", PLACED_AT);
        var cancelled = order(42, 7, 100, 2, 5_000, "EUR", "CANCELLED", PLACED_AT);

        // When mapped
        MappedChange mapped = mapper.map(change("orders", "u", placed, cancelled, LSN));

        // Then it is not published under the previous state's version (consumers would drop it), but refused, saying why
        assertThat(mapped).asInstanceOf(type(Unmappable.class)).satisfies(unmappable ->
                assertThat(unmappable.error().getMessage()).contains("order 42", "did not move updated_at forward",
                        "streamfold_orders_version"));
    }

    @Test
    void shouldTellAnUpdateFromAnInsertWithinTheSameMillisecond() {
        // Given a row changed one microsecond after it was placed (the same millisecond)
        var changed = order(42, 7, 100, 2, 5_000, "EUR", "PAID", "2024-05-01T10:15:30.000001Z", "2024-05-01T10:15:30.000002Z");

        // When its snapshot read is mapped
        Order order = publishedOrder(mapper.map(change("orders", "r", null, changed, LSN)));

        // Then it is an update, with a version of its own
        assertThat(order.getOperation()).isEqualTo(OrderOperation.UPDATE);
        assertThat(order.getVersion()).isEqualTo(1_714_558_530_000_002L);
        assertThat(order.getChangedAt()).isEqualTo(order.getEventTime());
    }

    @Test
    void shouldPublishADeletedOrderAsItsLastStateOneMicrosecondNewer() {
        // Given the delete of a shipped order, whose old row is whole (REPLICA IDENTITY FULL)
        var shipped = order(42, 7, 100, 2, 5_000, "EUR", "SHIPPED", PLACED_AT, SHIPPED_AT);
        var delete = change("orders", "d", shipped, null, LSN);

        // When mapped
        MappedChange mapped = mapper.map(delete);

        // Then it is a DELETE keyed by the customer, with the last state, newer than the last change, at the commit time
        assertThat(mapped).asInstanceOf(type(Publish.class)).satisfies(publish -> {
            assertThat(publish.topic()).isEqualTo(topics.orders());
            assertThat(publish.key()).isEqualTo("7");
        });
        Order order = publishedOrder(mapped);
        assertThat(order.getOperation()).isEqualTo(OrderOperation.DELETE);
        assertThat(order.getVersion()).isEqualTo(SHIPPED_AT_MICROS + 1);
        assertThat(order.getEventId()).isEqualTo("pg:orders:42:" + (SHIPPED_AT_MICROS + 1));
        assertThat(order.getChangedAt()).isEqualTo(COMMITTED);
        assertThat(order).extracting(Order::getOrderId, Order::getCustomerId, Order::getProductId, Order::getQuantity,
                        Order::getAmountMinor, Order::getCurrency, Order::getStatus, Order::getEventTime, Order::getSource)
                .containsExactly(42L, 7L, 100L, 2, 5_000L, "EUR", "SHIPPED", Instant.parse("2024-05-01T10:15:30.999Z"),
                        OrderSource.DATABASE);
    }

    @Test
    void shouldGiveEveryChangeOfAnOrderANewerVersionAndAnIdOfItsOwn() {
        // Given an order placed, corrected, cancelled and deleted
        var placed = order(42, 7, 100, 2, 5_000, "EUR", "PLACED", PLACED_AT);
        var corrected = order(42, 7, 100, 3, 7_500, "EUR", "PLACED", PLACED_AT, "2024-05-01T10:20:00.000001Z");
        var cancelled = order(42, 7, 100, 3, 7_500, "EUR", "CANCELLED", PLACED_AT, "2024-05-01T10:20:00.000002Z");
        List<SourceRecord> changes = List.of(
                change("orders", "c", null, placed, LSN),
                change("orders", "u", placed, corrected, LSN + 10),
                change("orders", "u", corrected, cancelled, LSN + 20),
                change("orders", "d", cancelled, null, LSN + 30));

        // When mapped
        List<Order> orders = changes.stream().map(mapper::map).map(ChangeEventMapperTest::publishedOrder).toList();

        // Then versions grow with every change, each change has its own id, and all stay in the placement's window
        assertThat(orders).extracting(Order::getOperation).containsExactly(
                OrderOperation.INSERT, OrderOperation.UPDATE, OrderOperation.UPDATE, OrderOperation.DELETE);
        assertThat(orders).extracting(Order::getVersion).isSorted().doesNotHaveDuplicates();
        assertThat(orders).extracting(Order::getEventId).doesNotHaveDuplicates()
                .allSatisfy(id -> assertThat(id).startsWith("pg:orders:42:"));
        assertThat(orders).extracting(Order::getEventTime).containsOnly(Instant.parse("2024-05-01T10:15:30.999Z"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("snapshotReadsOfStreamedChanges")
    void shouldGiveASnapshotReadTheVeryEventOfTheStreamedChangeItRepeats(String kind, SourceRecord streamed, SourceRecord read) {
        // Given a streamed change, and a later snapshot read of the row it left (other LSN, slot, commit time)

        // When both are mapped
        MappedChange fromStreaming = mapper.map(streamed);
        MappedChange fromSnapshot = mapper.map(read);

        // Then they are the same event: same id, version and operation, so downstream sees one change
        assertThat(fromSnapshot).isInstanceOf(Publish.class).isEqualTo(fromStreaming);
    }

    static Stream<Arguments> snapshotReadsOfStreamedChanges() {
        var placed = order(42, 7, 100, 2, 5_000, "EUR", "PLACED", PLACED_AT);
        var shipped = order(42, 7, 100, 2, 5_000, "EUR", "SHIPPED", PLACED_AT, SHIPPED_AT);
        return Stream.of(
                Arguments.of("insert", change("orders", "c", null, placed, LSN, COMMIT_TS_MS),
                        change("orders", "r", null, placed, LSN + 9_000, COMMIT_TS_MS + 86_400_000L)),
                Arguments.of("update", change("orders", "u", placed, shipped, LSN, COMMIT_TS_MS),
                        change("orders", "r", null, shipped, null, COMMIT_TS_MS + 86_400_000L)));
    }

    @Test
    void shouldGiveTheSameEventIdWhenTheSameChangeIsDeliveredAgain() {
        // Given the same insert delivered twice (at-least-once)
        var insert = change("orders", "c", null, order(43, 7, 100, 1, 2_500, "EUR", "PLACED", "2024-05-01T10:16:00Z"), LSN + 80);

        // When both deliveries are mapped
        Order first = publishedOrder(mapper.map(insert));
        Order second = publishedOrder(mapper.map(insert));

        // Then downstream deduplication sees one event
        assertThat(first.getEventId()).isEqualTo("pg:orders:43:1714558560000000").isEqualTo(second.getEventId());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("oldRowsWithoutReplicaIdentityFull")
    void shouldReportADeleteWithoutTheWholeOldRowAsUnmappableNamingTheFix(String kind, Struct oldRow) {
        // Given the delete of an order from a table that is not REPLICA IDENTITY FULL
        var delete = change("orders", "d", oldRow, null, LSN);

        // When mapped
        MappedChange mapped = mapper.map(delete);

        // Then it is unmappable, meant for orders, and the message says why and how to fix it
        assertThat(mapped).asInstanceOf(type(Unmappable.class)).satisfies(unmappable -> {
            assertThat(unmappable.topic()).isEqualTo(topics.orders());
            assertThat(unmappable.lsn()).isEqualTo(LSN);
            assertThat(unmappable.error()).isInstanceOf(UnmappableChangeException.class)
                    .hasMessageContaining("order 42")
                    .hasMessageContaining("only the key of the old row")
                    .hasMessageContaining("not REPLICA IDENTITY FULL")
                    .hasMessageContaining("ALTER TABLE orders REPLICA IDENTITY FULL");
        });
    }

    static Stream<Arguments> oldRowsWithoutReplicaIdentityFull() {
        return Stream.of(
                Arguments.of("other columns null", keyOnly(ORDER_ROW, 42)),
                Arguments.of("Debezium's placeholders in NOT NULL columns",
                        order(42, 0, 0, 0, 0, "", "", "1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z")));
    }

    @Test
    void shouldSkipATruncateWithTheReason() {
        // Given a truncate of orders (when Debezium is configured to emit them)
        var truncate = DebeziumChanges.truncate("orders", ORDER_ROW, LSN);

        // When mapped / Then it is skipped, saying why
        assertThat(mapper.map(truncate)).isEqualTo(new Skip("truncate of orders is not published: it changes no single row"));
    }

    @Test
    void shouldSkipTheTombstonesDebeziumEmitsAfterDeletes() {
        assertThat(mapper.map(DebeziumChanges.debeziumTombstone("customers", 7))).isInstanceOf(Skip.class);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            zero quantity                 |  0 |  2500 | EUR | 2024-05-01T10:16:00Z | quantity must be positive, was 0
            negative quantity             | -2 |  2500 | EUR | 2024-05-01T10:16:00Z | quantity must be positive, was -2
            negative amount               |  1 | -2500 | EUR | 2024-05-01T10:16:00Z | amount_minor must not be negative, was -2500
            lower-case currency           |  1 |  2500 | eur | 2024-05-01T10:16:00Z | currency 'eur' is not an ISO 4217 code
            currency that is no ISO code  |  1 |  2500 | EU1 | 2024-05-01T10:16:00Z | currency 'EU1' is not an ISO 4217 code
            event time two hours ahead    |  1 |  2500 | EUR | 2024-05-01T14:00:00Z | event_time 2024-05-01T14:00:00Z is more than PT1H in the future
            event time before the earliest|  1 |  2500 | EUR | 1999-12-31T23:59:59Z | event_time 1999-12-31T23:59:59Z is before the earliest accepted
            """)
    void shouldRejectAnInvalidOrderWithTheSharedRulesMessage(String kind, int quantity, long amount, String currency,
            String createdAt, String violation) {
        // Given a new order row that breaks the order rule (the database's constraints may or may not allow it)
        var insert = change("orders", "c", null, order(44, 7, 100, quantity, amount, currency, "PLACED", createdAt), LSN);

        // When mapped
        MappedChange mapped = mapper.map(insert);

        // Then it is unmappable, meant for orders (so it goes to orders.dlq), with its LSN and the violation named
        long version = Instant.parse(createdAt).getEpochSecond() * 1_000_000L;
        assertThat(mapped).asInstanceOf(type(Unmappable.class)).satisfies(unmappable -> {
            assertThat(unmappable.topic()).isEqualTo(topics.orders());
            assertThat(unmappable.lsn()).isEqualTo(LSN);
            assertThat(unmappable.error()).isInstanceOf(InvalidOrderException.class)
                    .hasMessageStartingWith("Order 44 (event pg:orders:44:" + version + ") is invalid: ")
                    .hasMessageContaining(violation);
        });
    }

    @Test
    void shouldRejectAnUpdateOrDeleteThatBreaksTheRuleLikeAnInsert() {
        // Given an order corrected to a zero quantity, then deleted
        var placed = order(46, 7, 100, 1, 2_500, "EUR", "PLACED", PLACED_AT);
        var zeroed = order(46, 7, 100, 0, 2_500, "EUR", "PLACED", PLACED_AT, SHIPPED_AT);

        // When both are mapped / Then each is rejected by the shared rule
        assertThat(List.of(mapper.map(change("orders", "u", placed, zeroed, LSN)), mapper.map(change("orders", "d", zeroed, null, LSN))))
                .allSatisfy(mapped -> assertThat(mapped).asInstanceOf(type(Unmappable.class)).satisfies(unmappable ->
                        assertThat(unmappable.error()).isInstanceOf(InvalidOrderException.class)
                                .hasMessageContaining("quantity must be positive, was 0")));
    }

    @Test
    void shouldRejectExactlyWhatTheSharedRuleRejectsInADirectlyPublishedOrder() {
        // Given an order row that breaks two rules, and the same order (same ids) as an application would publish it
        var insert = change("orders", "c", null, order(45, 7, 100, 0, 2_500, "eu1", "PLACED", "2024-05-01T10:16:00Z"), LSN);
        long version = 1_714_558_560_000_000L;
        Order published = Order.newBuilder().setEventId("pg:orders:45:" + version).setOrderId(45L).setCustomerId(7L)
                .setProductId(100L).setQuantity(0).setAmountMinor(2_500L).setCurrency("eu1").setStatus("PLACED")
                .setEventTime(Instant.parse("2024-05-01T10:16:00Z")).setSource(OrderSource.DIRECT).setVersion(version).build();

        // When the row is mapped
        MappedChange mapped = mapper.map(insert);

        // Then both violations are named, in the very words the rule uses for the published order
        assertThat(mapped).asInstanceOf(type(Unmappable.class)).satisfies(unmappable -> {
            assertThat(unmappable.error()).hasMessageContaining("quantity").hasMessageContaining("currency 'eu1'");
            assertThatThrownBy(() -> rules.requireValid(published, NOW))
                    .isInstanceOf(InvalidOrderException.class).hasMessage(unmappable.error().getMessage());
        });
    }

    @Test
    void shouldReportANullInARequiredColumnAsUnmappable() {
        // Given a customer without e-mail
        var insert = change("customers", "c", null, customer(8, "Bob", null, "FR", "silver", "2024-05-01T10:15:30Z"), LSN);

        // When mapped / Then the column is named
        assertThat(mapper.map(insert)).asInstanceOf(type(Unmappable.class))
                .satisfies(unmappable -> assertThat(unmappable.error()).hasMessage("customers.email is null"));
    }

    @Test
    void shouldReportAnUnparsableTimestampAsUnmappable() {
        // Given a product whose update time is not ISO-8601
        var insert = change("products", "c", null, product(101, "Mug", "kitchen", 900L, "yesterday"), null);

        // When mapped / Then it is unmappable, without an LSN
        assertThat(mapper.map(insert)).asInstanceOf(type(Unmappable.class)).satisfies(unmappable -> {
            assertThat(unmappable.topic()).isEqualTo(topics.products());
            assertThat(unmappable.lsn()).isEqualTo(-1);
            assertThat(unmappable.error()).hasMessageContaining("products.updated_at");
        });
    }

    private static Order publishedOrder(MappedChange mapped) {
        assertThat(mapped).isInstanceOf(Publish.class);
        return (Order) ((Publish<?>) mapped).value();
    }

    private static Instant validFrom(MappedChange mapped) {
        assertThat(mapped).isInstanceOf(Publish.class);
        Object value = ((Publish<?>) mapped).value();
        return value instanceof Customer customer ? customer.getValidFrom() : ((Product) value).getValidFrom();
    }
}
