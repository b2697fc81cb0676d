package dev.streamfold.ingest.mapping;

import static dev.streamfold.ingest.mapping.DebeziumChanges.COMMIT_TS_MS;
import static dev.streamfold.ingest.mapping.DebeziumChanges.CUSTOMER_ROW;
import static dev.streamfold.ingest.mapping.DebeziumChanges.change;
import static dev.streamfold.ingest.mapping.DebeziumChanges.customer;
import static dev.streamfold.ingest.mapping.DebeziumChanges.keyOnly;
import static dev.streamfold.ingest.mapping.DebeziumChanges.order;
import static dev.streamfold.ingest.mapping.DebeziumChanges.product;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.ingest.mapping.MappedChange.Publish;
import dev.streamfold.ingest.mapping.MappedChange.Skip;
import dev.streamfold.ingest.mapping.MappedChange.Unmappable;
import dev.streamfold.schemas.Customer;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.OrderSource;
import dev.streamfold.schemas.Product;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ChangeEventMapperTest {

    private static final long LSN = 24_023_128L;

    private final Topics topics = new Topics(AvroBinarySerde.factory(), "test.");
    private final ChangeEventMapper mapper = new ChangeEventMapper(topics);

    @Test
    void shouldPublishAnInsertedCustomerAsItsLatestRowAtItsUpdateTime() {
        // Given an insert into customers
        var insert = change("customers", "c", null,
                customer(7, "Ada", "ada@example.com", "DE", "gold", "2024-05-01T10:15:30.123456Z"), LSN);

        // When mapped
        MappedChange mapped = mapper.map(insert);

        // Then it is the row, keyed by customer id, timestamped with updated_at (cut to Avro's milliseconds)
        Instant updatedAt = Instant.parse("2024-05-01T10:15:30.123Z");
        assertThat(mapped).isEqualTo(new Publish<>(topics.customers(), "7",
                new Customer(7L, "Ada", "ada@example.com", "DE", "gold", updatedAt), updatedAt));
    }

    @Test
    void shouldPublishAnUpdatedProductAsItsNewRow() {
        // Given an update of a product's price, with an offset other than UTC
        var update = change("products", "u",
                product(100, "Kettle", "kitchen", 2_500L, "2024-05-01T10:00:00Z"),
                product(100, "Kettle", "kitchen", 2_750L, "2024-05-01T12:30:00+02:00"), LSN);

        // When mapped
        MappedChange mapped = mapper.map(update);

        // Then the new row replaces the old one, at its update time
        Instant updatedAt = Instant.parse("2024-05-01T10:30:00Z");
        assertThat(mapped).isEqualTo(new Publish<>(topics.products(), "100",
                new Product(100L, "Kettle", "kitchen", 2_750L, updatedAt), updatedAt));
    }

    @Test
    void shouldTurnADeletedCustomerIntoATombstone() {
        // Given a delete, whose old row holds only the primary key
        var delete = change("customers", "d", keyOnly(CUSTOMER_ROW, 7), null, LSN);

        // When mapped
        MappedChange mapped = mapper.map(delete);

        // Then it is a tombstone for the customer's key, at the commit time of the delete
        assertThat(mapped).isEqualTo(new Publish<>(topics.customers(), "7", null, Instant.ofEpochMilli(COMMIT_TS_MS)));
    }

    @Test
    void shouldPublishASnapshotReadOrderKeyedByCustomerWithAnEventIdFromTheLsn() {
        // Given an order row read by the initial snapshot
        var read = change("orders", "r", null, order(42, 7, 100, 2, 5_000, "EUR", "PLACED", "2024-05-01T10:15:30.999999Z"), LSN);

        // When mapped
        MappedChange mapped = mapper.map(read);

        // Then it is a database order event keyed by customer, at its creation time
        Instant createdAt = Instant.parse("2024-05-01T10:15:30.999Z");
        Order expected = new Order("pg:24023128:42", 42L, 7L, 100L, 2, 5_000L, "EUR", "PLACED", createdAt, OrderSource.DATABASE);
        assertThat(mapped).isEqualTo(new Publish<>(topics.orders(), "7", expected, createdAt));
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

    @Test
    void shouldReportAnOrderWithAnInvalidCurrencyAsUnmappableForTheOrdersTopic() {
        // Given an order whose currency is not an ISO 4217 code
        var insert = change("orders", "c", null, order(44, 7, 100, 1, 2_500, "eu1", "PLACED", "2024-05-01T10:16:00Z"), LSN);

        // When mapped
        MappedChange mapped = mapper.map(insert);

        // Then it is unmappable, meant for orders, with its LSN and the reason
        assertThat(mapped).asInstanceOf(type(Unmappable.class)).satisfies(unmappable -> {
            assertThat(unmappable.topic()).isEqualTo(topics.orders());
            assertThat(unmappable.lsn()).isEqualTo(LSN);
            assertThat(unmappable.error()).hasMessageContaining("currency").hasMessageContaining("eu1");
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
