package dev.streamfold.aggregation.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamfold.schemas.CustomerLifetime;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class CustomerLifetimeSerdeTest {

    private static final CustomerLifetime LEGACY = new CustomerLifetime("legacy", 1L, 1L, Map.of(), null, null);
    private final CustomerLifetimeSerde serde = new CustomerLifetimeSerde((topic, bytes) -> LEGACY);

    @Test
    void shouldReadBackWhatItWrote() {
        // Given a customer's totals in two currencies, and one who has no order that counts (dates absent)
        CustomerLifetime active = new CustomerLifetime("42", 3L, 7L, Map.of("EUR", 1_250L, "USD", -0L),
                Instant.parse("2024-02-29T23:59:59.999Z"), Instant.parse("2026-12-01T10:00:00Z"));
        CustomerLifetime cancelledOnly = new CustomerLifetime("43", 0L, 0L, Map.of("EUR", 0L), null, null);

        // When written and read, Then each is as it was
        for (CustomerLifetime lifetime : new CustomerLifetime[] {active, cancelledOnly}) {
            byte[] bytes = serde.serializer().serialize("t", lifetime);
            assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(lifetime);
        }
    }

    @Test
    void shouldReadTheRegistryFramedAvroOfAnEarlierVersionThroughTheLegacyReader() {
        // Given a store value in the Confluent wire format (magic byte 0, then a schema id)
        byte[] framed = {0, 0, 0, 0, 7, 2, 'x'};

        // When read, Then the legacy reader decodes it
        assertThat(serde.deserializer().deserialize("t", framed)).isSameAs(LEGACY);
    }

    @Test
    void shouldRefuseBytesOfAnotherLayout() {
        // Given bytes of an unknown layout version
        byte[] unknown = {9, 1, 2};

        // When read, Then it fails clearly
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", unknown)).isInstanceOf(SerializationException.class);
    }
}
