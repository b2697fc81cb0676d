package dev.streamfold.reconciliation.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TumblingWindowsTest {

    private static final TumblingWindows ONE_MINUTE = new TumblingWindows(Duration.ofMinutes(1));

    @ParameterizedTest
    @ValueSource(longs = {0L, 1L, 59_999L, 60_000L, 60_001L, 1_772_366_459_999L, 1_772_366_460_000L, 1_772_366_461_234L})
    void shouldAlignWindowsExactlyLikeKafkaStreams(long eventTimeMillis) {
        // Given Kafka Streams' one-minute tumbling windows
        TimeWindows streams = TimeWindows.ofSizeWithNoGrace(Duration.ofMinutes(1));

        // When both place the same event time
        Instant start = ONE_MINUTE.startOf(Instant.ofEpochMilli(eventTimeMillis));

        // Then they pick the same window
        long streamsStart = streams.windowsFor(eventTimeMillis).keySet().iterator().next();
        assertThat(start.toEpochMilli()).isEqualTo(streamsStart);
        assertThat(ONE_MINUTE.endOf(start).toEpochMilli()).isEqualTo(streams.windowsFor(eventTimeMillis).get(streamsStart).end());
    }

    @Test
    void shouldSettleWindowsEndedAtLeastTheSettleDelayAgo() {
        // Given now = 12:05:30 and a settle delay of two minutes
        Instant now = Instant.parse("2026-03-01T12:05:30Z");

        // When the settled range is computed with a one-hour lookback
        SettledRange range = ONE_MINUTE.settled(now, Duration.ofMinutes(2), Duration.ofHours(1));

        // Then windows ending by 12:03:30 are settled, i.e. up to [12:02, 12:03); those starting before 11:05:30 are out
        assertThat(range).isEqualTo(new SettledRange(Instant.parse("2026-03-01T11:06:00Z"), Instant.parse("2026-03-01T12:03:00Z")));
        assertThat(range.contains(window("2026-03-01T12:02:00Z"))).isTrue();
        assertThat(range.contains(window("2026-03-01T12:03:00Z"))).isFalse();
        assertThat(range.contains(window("2026-03-01T11:06:00Z"))).isTrue();
        assertThat(range.contains(window("2026-03-01T11:05:00Z"))).isFalse();
    }

    @Test
    void shouldSettleAWindowExactlyWhenItsEndPlusTheDelayIsNow() {
        // Given now is exactly 12:03 + two minutes
        Instant now = Instant.parse("2026-03-01T12:05:00Z");

        // When the settled range is computed
        SettledRange range = ONE_MINUTE.settled(now, Duration.ofMinutes(2), Duration.ofHours(1));

        // Then [12:02, 12:03) is settled (end + delay <= now) and [12:03, 12:04) is not
        assertThat(range.contains(window("2026-03-01T12:02:00Z"))).isTrue();
        assertThat(range.contains(window("2026-03-01T12:03:00Z"))).isFalse();
        assertThat(range.from()).isEqualTo(Instant.parse("2026-03-01T11:05:00Z"));
    }

    @Test
    void shouldHaveNothingSettledWhenTheLookbackIsShorterThanTheSettleDelay() {
        // Given a lookback that ends before any window can settle
        Instant now = Instant.parse("2026-03-01T12:05:30Z");

        // When the settled range is computed
        SettledRange range = ONE_MINUTE.settled(now, Duration.ofMinutes(10), Duration.ofMinutes(5));

        // Then it is empty
        assertThat(range.isEmpty()).isTrue();
    }

    @Test
    void shouldRejectSizesThatAreNotWholeMilliseconds() {
        assertThatIllegalArgumentException().isThrownBy(() -> new TumblingWindows(Duration.ofNanos(1_500_000)));
        assertThatIllegalArgumentException().isThrownBy(() -> new TumblingWindows(Duration.ZERO));
    }

    private static TotalWindow window(String start) {
        Instant from = Instant.parse(start);
        return new TotalWindow(from, from.plusSeconds(60));
    }
}
