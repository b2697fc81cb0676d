package dev.streamfold.aggregation.window;

import static dev.streamfold.aggregation.window.EnrichedOrders.changed;
import static dev.streamfold.aggregation.window.EnrichedOrders.databaseOrder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamfold.schemas.EnrichedOrder;
import dev.streamfold.schemas.OrderOperation;
import dev.streamfold.schemas.OrderSource;
import java.time.Instant;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class OrderContributionSerdeTest {

    private static final Instant PLACED = Instant.parse("2026-03-01T10:00:05Z");
    private final OrderContributionSerde serde = new OrderContributionSerde();

    @Test
    void shouldRoundTripAContributionWithTheVersionByteFirst() {
        // Given contributions that count and that do not, with extreme values and a non-ASCII category
        OrderContribution counted = new OrderContribution(Long.MAX_VALUE, Long.MIN_VALUE, "Bücher & Spiele 📚", "DE", "EUR", Long.MAX_VALUE, Long.MAX_VALUE, true);
        OrderContribution cancelled = new OrderContribution(0, 0, "", "", "JPY", 0, 1, false);

        // When they are serialized and read back
        byte[] bytes = serde.serializer().serialize("t", counted);

        // Then they are equal, and the layout starts with its version
        assertThat(bytes[0]).isEqualTo(OrderContributionSerde.VERSION);
        assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(counted);
        assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", cancelled))).isEqualTo(cancelled);
        assertThat(serde.serializer().serialize("t", null)).isNull();
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
    }

    @Test
    void shouldRefuseBytesOfAnotherVersionOrLayout() {
        // Given bytes of an unknown version, truncated bytes, bytes with trailing garbage and a counts flag that is no boolean
        byte[] bytes = serde.serializer().serialize("t", new OrderContribution(7, 3, "books", "DE", "EUR", 5, 1, true));
        byte[] otherVersion = bytes.clone();
        otherVersion[0] = 1;
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 1);
        byte[] trailing = Arrays.copyOf(bytes, bytes.length + 1);
        byte[] badFlag = bytes.clone();
        badFlag[1 + Long.BYTES] = 2;

        // When they are read
        // Then each is refused as a serialization error
        for (byte[] broken : new byte[][] {otherVersion, truncated, trailing, badFlag, "not a contribution".getBytes()}) {
            assertThatThrownBy(() -> serde.deserializer().deserialize("t", broken)).isInstanceOf(SerializationException.class);
        }
    }

    @Test
    void shouldTakeWhatAnOrderContributesFromItsStateByTheRevenueRule() {
        // Given an order placed, then cancelled, then deleted
        EnrichedOrder placed = databaseOrder(42, 1_000, 1, "books", 1_250, "EUR", PLACED);
        EnrichedOrder cancelled = changed(placed, 2_000, OrderOperation.UPDATE, o -> o.setStatus("CANCELLED"));
        EnrichedOrder deleted = changed(placed, 3_000, OrderOperation.DELETE, o -> o);

        // When their contributions are taken
        // Then only the placed order counts; each keeps its version, customer, category, country, currency, amount, quantity
        assertThat(OrderContribution.of(placed)).isEqualTo(new OrderContribution(1_000, 1, "books", "NL", "EUR", 1_250, 1, true));
        assertThat(OrderContribution.of(cancelled)).isEqualTo(new OrderContribution(2_000, 1, "books", "NL", "EUR", 1_250, 1, false));
        assertThat(OrderContribution.of(deleted)).isEqualTo(new OrderContribution(3_000, 1, "books", "NL", "EUR", 1_250, 1, false));
        // And the identity tells database and direct orders with the same id apart
        assertThat(OrderContribution.identityOf(placed)).isEqualTo("DATABASE:42");
        assertThat(OrderContribution.identityOf(EnrichedOrder.newBuilder(placed)
                .setSource(OrderSource.DIRECT).build())).isEqualTo("DIRECT:42");
    }
}
