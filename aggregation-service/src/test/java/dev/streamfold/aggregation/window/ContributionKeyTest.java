package dev.streamfold.aggregation.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class ContributionKeyTest {

    private final ContributionKey.KeySerde serde = new ContributionKey.KeySerde();

    @Test
    void shouldRoundTripKeysAndSortThemByEventTimeFirst() {
        // Given keys before and after the epoch, with an identity that is not ASCII and one that is empty
        ContributionKey early = new ContributionKey(-86_400_000L, "database:Bestellung-ü-42");
        ContributionKey late = new ContributionKey(1_772_359_200_000L, "direct:7");
        ContributionKey lowest = ContributionKey.lowest(1_772_359_200_000L);

        // When they are written
        byte[] earlyBytes = serde.serializer().serialize("t", early);
        byte[] lateBytes = serde.serializer().serialize("t", late);
        byte[] lowestBytes = serde.serializer().serialize("t", lowest);

        // Then they read back equal, and their bytes sort as their event times, a bound before its time's keys
        assertThat(serde.deserializer().deserialize("t", earlyBytes)).isEqualTo(early);
        assertThat(serde.deserializer().deserialize("t", lateBytes)).isEqualTo(late);
        assertThat(serde.deserializer().deserialize("t", lowestBytes)).isEqualTo(lowest);
        assertThat(Arrays.compareUnsigned(earlyBytes, lateBytes)).isNegative();
        assertThat(Arrays.compareUnsigned(lowestBytes, lateBytes)).isNegative();
    }

    @Test
    void shouldRefuseBytesTooShortForAKeyOrOfAnotherVersion() {
        // Given a key's bytes cut within its event time, and with another version byte
        byte[] bytes = serde.serializer().serialize("t", new ContributionKey(5L, "direct:1"));
        byte[] cut = Arrays.copyOf(bytes, 5);
        byte[] otherVersion = bytes.clone();
        otherVersion[0] = 9;

        // When read, then refused as not a key
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", cut)).isInstanceOf(SerializationException.class);
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", otherVersion))
                .isInstanceOf(SerializationException.class);
    }
}
