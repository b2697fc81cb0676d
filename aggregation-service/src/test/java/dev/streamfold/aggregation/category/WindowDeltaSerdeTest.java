package dev.streamfold.aggregation.category;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class WindowDeltaSerdeTest {

    private static final Instant W1 = Instant.parse("2026-03-01T10:00:00Z");
    private final WindowDeltaSerde deltas = new WindowDeltaSerde();
    private final CategoryWindowSerde keys = new CategoryWindowSerde();

    @Test
    void shouldRoundTripADeltaWithTheVersionByteFirst() {
        // Given a delta with several currencies and extreme values
        WindowDelta delta = new WindowDelta(W1.toEpochMilli(), Long.MAX_VALUE,
                Map.of("EUR", Long.MAX_VALUE, "USD", 0L, "JPY", 42L));

        // When it is serialized and read back
        byte[] bytes = deltas.serializer().serialize("t", delta);

        // Then it is equal, and the layout starts with its version
        assertThat(bytes[0]).isEqualTo(WindowDeltaSerde.VERSION);
        assertThat(deltas.deserializer().deserialize("t", bytes)).isEqualTo(delta);
        assertThat(deltas.serializer().serialize("t", new WindowDelta(W1.toEpochMilli(), Long.MAX_VALUE,
                Map.of("JPY", 42L, "USD", 0L, "EUR", Long.MAX_VALUE)))).isEqualTo(bytes);
        assertThat(deltas.serializer().serialize("t", null)).isNull();
        assertThat(deltas.deserializer().deserialize("t", null)).isNull();
    }

    @Test
    void shouldRoundTripAnEmptyDeltaAndACategoryWindowKey() {
        // Given an empty delta and a key with a non-ASCII category
        WindowDelta empty = WindowDelta.empty(W1.toEpochMilli());
        CategoryWindow key = new CategoryWindow("Bücher & Spiele 📚", W1.toEpochMilli());

        // When they are serialized and read back
        // Then they are equal
        assertThat(deltas.deserializer().deserialize("t", deltas.serializer().serialize("t", empty))).isEqualTo(empty);
        byte[] keyBytes = keys.serializer().serialize("t", key);
        assertThat(keyBytes[0]).isEqualTo(CategoryWindowSerde.VERSION);
        assertThat(keys.deserializer().deserialize("t", keyBytes)).isEqualTo(key);
    }

    @Test
    void shouldRefuseBytesOfAnotherVersionOrLayout() {
        // Given bytes of an unknown version, truncated bytes and bytes with trailing garbage
        byte[] bytes = deltas.serializer().serialize("t", new WindowDelta(W1.toEpochMilli(), 1, Map.of("EUR", 5L)));
        byte[] otherVersion = bytes.clone();
        otherVersion[0] = 2;
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 1);
        byte[] trailing = java.util.Arrays.copyOf(bytes, bytes.length + 1);

        // When they are read
        // Then each is refused as a serialization error
        assertThatThrownBy(() -> deltas.deserializer().deserialize("t", otherVersion)).isInstanceOf(SerializationException.class);
        assertThatThrownBy(() -> deltas.deserializer().deserialize("t", truncated)).isInstanceOf(SerializationException.class);
        assertThatThrownBy(() -> deltas.deserializer().deserialize("t", trailing)).isInstanceOf(SerializationException.class);
        assertThatThrownBy(() -> deltas.deserializer().deserialize("t", "not a delta".getBytes()))
                .isInstanceOf(SerializationException.class);
    }

    @Test
    void shouldAddOrdersPerCurrencyAndFailOnOverflow() {
        // Given a delta holding the largest euro amount a long can
        WindowDelta delta = WindowDelta.empty(W1.toEpochMilli())
                .plus(counted("EUR", Long.MAX_VALUE))
                .plus(counted("USD", 3));

        // When another euro is added
        // Then it fails loudly instead of wrapping around; other currencies are summed apart
        assertThat(delta).isEqualTo(new WindowDelta(W1.toEpochMilli(), 2, Map.of("EUR", Long.MAX_VALUE, "USD", 3L)));
        assertThatThrownBy(() -> delta.plus(counted("EUR", 1))).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void shouldRetractBelowZeroWithinADeltaAndRoundTripIt() {
        // Given an empty pending delta (the order being retracted was added by an earlier flush)
        WindowDelta empty = WindowDelta.empty(W1.toEpochMilli());

        // When one order's contribution is taken back and another's added in another currency
        WindowDelta delta = empty.minus(counted("EUR", 1_000)).plus(counted("USD", 5));

        // Then count and euro revenue are negative, exactly, and survive the serde
        assertThat(delta).isEqualTo(new WindowDelta(W1.toEpochMilli(), 0, Map.of("EUR", -1_000L, "USD", 5L)));
        assertThat(deltas.deserializer().deserialize("t", deltas.serializer().serialize("t", delta))).isEqualTo(delta);
        assertThat(empty.minus(counted("EUR", 7)).plus(counted("EUR", 7)))
                .isEqualTo(new WindowDelta(W1.toEpochMilli(), 0, Map.of("EUR", 0L)));
    }

    @Test
    void shouldFailOnARetractionThatWouldOverflow() {
        // Given a delta whose euro revenue is the most negative a long holds
        WindowDelta delta = new WindowDelta(W1.toEpochMilli(), 0, Map.of("EUR", Long.MIN_VALUE));

        // When one more euro is taken back
        // Then it fails loudly instead of wrapping around
        assertThatThrownBy(() -> delta.minus(counted("EUR", 1))).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> new WindowDelta(W1.toEpochMilli(), Long.MIN_VALUE, Map.of()).minus(counted("EUR", 0)))
                .isInstanceOf(ArithmeticException.class);
    }

    private static OrderContribution counted(String currency, long amountMinor) {
        return new OrderContribution(0, "books", currency, amountMinor, true);
    }
}
