package dev.streamfold.ingest.mapping;

import static dev.streamfold.ingest.mapping.DebeziumChanges.CUSTOMER_ROW;
import static dev.streamfold.ingest.mapping.DebeziumChanges.change;
import static dev.streamfold.ingest.mapping.DebeziumChanges.customer;
import static dev.streamfold.ingest.mapping.DebeziumChanges.keyOnly;
import static dev.streamfold.ingest.mapping.DebeziumChanges.order;
import static dev.streamfold.ingest.mapping.DebeziumChanges.product;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import dev.streamfold.common.order.InvalidOrderException;
import dev.streamfold.common.order.OrderRules;
import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.ingest.mapping.MappedChange.Publish;
import dev.streamfold.ingest.mapping.MappedChange.Skip;
import dev.streamfold.ingest.mapping.MappedChange.Unmappable;
import dev.streamfold.schemas.Customer;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.OrderSource;
import dev.streamfold.schemas.Product;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChangeEventMapperTest {

    private static final long LSN = 24_023_128L;
    /** The mapper's clock: orders of these tests were placed shortly before. */
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");

    private final Topics topics = new Topics(AvroBinarySerde.factory(), "test.");
    private final OrderRules rules = OrderRules.defaults();
    private final ChangeEventMapper mapper = new ChangeEventMapper(topics, rules, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void shouldPublishAnInsertedCustomerAsItsLatestRow() {
        // Given an insert into customers
        var insert = change("customers", "c", null,
                customer(7, "Ada", "ada@example.com", "DE", "gold", "2024-05-01T10:15:30.123456Z"), LSN);

        // When mapped
        MappedChange mapped = mapper.map(insert);

        // Then it is the row, keyed by customer id, with updated_at cut to Avro's milliseconds
        Instant updatedAt = Instant.parse("2024-05-01T10:15:30.123Z");
        assertThat(mapped).isEqualTo(new Publish<>(topics.customers(), "7",
                new Customer(7L, "Ada", "ada@example.com", "DE", "gold", updatedAt)));
    }

    @Test
    void shouldPublishAnUpdatedProductAsItsNewRow() {
        // Given an update of a product's price, with an offset other than UTC
        var update = change("products", "u",
                product(100, "Kettle", "kitchen", 2_500L, "2024-05-01T10:00:00Z"),
                product(100, "Kettle", "kitchen", 2_750L, "2024-05-01T12:30:00+02:00"), LSN);

        // When mapped
        MappedChange mapped = mapper.map(update);

        // Then the new row replaces the old one, its update time in UTC
        Instant updatedAt = Instant.parse("2024-05-01T10:30:00Z");
        assertThat(mapped).isEqualTo(new Publish<>(topics.products(), "100",
                new Product(100L, "Kettle", "kitchen", 2_750L, updatedAt)));
    }

    @Test
    void shouldTurnADeletedCustomerIntoATombstone() {
        // Given a delete, whose old row holds only the primary key
        var delete = change("customers", "d", keyOnly(CUSTOMER_ROW, 7), null, LSN);

        // When mapped
        MappedChange mapped = mapper.map(delete);

        // Then it is a tombstone for the customer's key
        assertThat(mapped).isEqualTo(new Publish<>(topics.customers(), "7", null));
    }

    @Test
    void shouldPublishASnapshotReadOrderKeyedByCustomerWithAnEventIdFromTheLsn() {
        // Given an order row read by the initial snapshot
        var read = change("orders", "r", null, order(42, 7, 100, 2, 5_000, "EUR", "PLACED", "2024-05-01T10:15:30.999999Z"), LSN);

        // When mapped
        MappedChange mapped = mapper.map(read);

        // Then it is a database order event keyed by customer, its creation time as event time
        Instant createdAt = Instant.parse("2024-05-01T10:15:30.999Z");
        Order expected = new Order("pg:24023128:42", 42L, 7L, 100L, 2, 5_000L, "EUR", "PLACED", createdAt, OrderSource.DATABASE);
        assertThat(mapped).isEqualTo(new Publish<>(topics.orders(), "7", expected));
    }

    @Test
    void shouldPublishAnOrderPlacedYearsBeforeTheCaptureStarted() {
        // Given a snapshot of a database that has held orders for years
        var read = change("orders", "r", null, order(3, 7, 100, 1, 1_200, "EUR", "PLACED", "2016-03-01T09:00:00Z"), LSN);

        // When mapped
        MappedChange mapped = mapper.map(read);

        // Then the old order is published like any other, its age only in its event time
        assertThat(mapped).asInstanceOf(type(Publish.class))
                .satisfies(publish -> assertThat(((Order) publish.value()).getEventTime()).isEqualTo(Instant.parse("2016-03-01T09:00:00Z")));
    }

    @Test
    void shouldGiveTheSameEventIdWhenTheSameChangeIsDeliveredAgain() {
        // Given the same insert delivered twice (at-least-once)
        var insert = change("orders", "c", null, order(43, 7, 100, 1, 2_500, "EUR", "PLACED", "2024-05-01T10:16:00Z"), LSN + 80);

        // When both deliveries are mapped
        Order first = (Order) ((Publish<?>) mapper.map(insert)).value();
        Order second = (Order) ((Publish<?>) mapper.map(insert)).value();

        // Then downstream deduplication sees one event
        assertThat(first.getEventId()).isEqualTo("pg:" + (LSN + 80) + ":43").isEqualTo(second.getEventId());
    }

    @Test
    void shouldSkipUpdatesAndDeletesOfOrderRows() {
        // Given an order whose status changes, and one that is deleted
        var placed = order(42, 7, 100, 2, 5_000, "EUR", "PLACED", "2024-05-01T10:15:30Z");
        var shipped = order(42, 7, 100, 2, 5_000, "EUR", "SHIPPED", "2024-05-01T10:15:30Z");
        var update = change("orders", "u", placed, shipped, LSN);
        var delete = change("orders", "d", keyOnly(DebeziumChanges.ORDER_ROW, 42), null, LSN);

        // When mapped / Then neither is a new order event
        assertThat(mapper.map(update)).isInstanceOf(Skip.class);
        assertThat(mapper.map(delete)).isInstanceOf(Skip.class);
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
        assertThat(mapped).asInstanceOf(type(Unmappable.class)).satisfies(unmappable -> {
            assertThat(unmappable.topic()).isEqualTo(topics.orders());
            assertThat(unmappable.lsn()).isEqualTo(LSN);
            assertThat(unmappable.error()).isInstanceOf(InvalidOrderException.class)
                    .hasMessageStartingWith("Order 44 (event pg:" + LSN + ":44) is invalid: ")
                    .hasMessageContaining(violation);
        });
    }

    @Test
    void shouldRejectExactlyWhatTheSharedRuleRejectsInADirectlyPublishedOrder() {
        // Given an order row that breaks two rules, and the same order (same ids) as an application would publish it
        var insert = change("orders", "c", null, order(45, 7, 100, 0, 2_500, "eu1", "PLACED", "2024-05-01T10:16:00Z"), LSN);
        Order published = new Order("pg:" + LSN + ":45", 45L, 7L, 100L, 0, 2_500L, "eu1", "PLACED",
                Instant.parse("2024-05-01T10:16:00Z"), OrderSource.DIRECT);

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
}
