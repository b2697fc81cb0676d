package dev.streamfold.enrichment.join;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamfold.common.deadletter.DeadLetterSource;
import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.OrderSource;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class ParkedOrderSerdeTest {

    private static final Instant PARKED_AT = Instant.parse("2026-03-01T10:05:01Z");

    private final ParkedOrderSerde serde = new ParkedOrderSerde(new Topics(AvroBinarySerde.factory()).orders());

    @Test
    void shouldReadBackEverythingAWaitingOrderNeeds() {
        // Given a waiting order with a header, one of them without value
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace-id", "abc".getBytes(UTF_8));
        headers.add("empty", null);
        ParkedOrder parked = new ParkedOrder(order(), 1_772_359_500_000L, headers,
                new DeadLetterSource("enrichment-test", "orders", 3, 42L), PARKED_AT);
        // When it is written to the store and read back
        ParkedOrder read = serde.deserializer().deserialize("changelog", serde.serializer().serialize("changelog", parked));
        // Then nothing is lost
        assertThat(read.order()).isEqualTo(parked.order());
        assertThat(read.timestamp()).isEqualTo(parked.timestamp());
        assertThat(read.source()).isEqualTo(parked.source());
        assertThat(read.parkedAt()).isEqualTo(PARKED_AT);
        assertThat(read.headers().toArray()).containsExactly(headers.toArray());
    }

    @Test
    void shouldRefuseBytesThatAreNotAWaitingOrder() {
        assertThatThrownBy(() -> serde.deserializer().deserialize("changelog", new byte[] {9, 9, 9}))
                .isInstanceOf(SerializationException.class);
    }

    private static Order order() {
        return Order.newBuilder().setEventId("evt-1").setOrderId(1).setCustomerId(7).setProductId(42).setQuantity(1)
                .setAmountMinor(100).setCurrency("EUR").setStatus("PLACED").setEventTime(PARKED_AT)
                .setSource(OrderSource.DIRECT).build();
    }
}
