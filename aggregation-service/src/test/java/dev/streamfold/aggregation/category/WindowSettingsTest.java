package dev.streamfold.aggregation.category;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WindowSettingsTest {

    private static final WindowSettings MINUTE_WINDOWS = new WindowSettings(Duration.ofMinutes(1), Duration.ofSeconds(30));
    private static final Instant W1 = Instant.parse("2026-03-01T10:00:00Z");

    @Test
    void shouldPutAnEventTimeInTheEpochAlignedWindowContainingIt() {
        // Given event times at the start, inside and at the last millisecond of a window, and at the next one
        // When their windows are computed
        // Then [start, end): the start is inclusive, the end exclusive
        assertThat(MINUTE_WINDOWS.windowStart(W1.toEpochMilli())).isEqualTo(W1.toEpochMilli());
        assertThat(MINUTE_WINDOWS.windowStart(W1.plusSeconds(37).toEpochMilli())).isEqualTo(W1.toEpochMilli());
        assertThat(MINUTE_WINDOWS.windowStart(W1.plusSeconds(60).minusMillis(1).toEpochMilli())).isEqualTo(W1.toEpochMilli());
        assertThat(MINUTE_WINDOWS.windowStart(W1.plusSeconds(60).toEpochMilli())).isEqualTo(W1.plusSeconds(60).toEpochMilli());
        assertThat(MINUTE_WINDOWS.windowEnd(W1.toEpochMilli())).isEqualTo(W1.plusSeconds(60).toEpochMilli());
    }

    @Test
    void shouldAlignWindowsBeforeTheEpochToo() {
        // Given an event time before 1970 (accepted if the earliest event time is configured that far back)
        long eventTime = Instant.parse("1969-12-31T23:59:30Z").toEpochMilli();

        // When its window is computed
        // Then it starts on the minute before, not after
        assertThat(MINUTE_WINDOWS.windowStart(eventTime)).isEqualTo(Instant.parse("1969-12-31T23:59:00Z").toEpochMilli());
    }

    @Test
    void shouldCloseAWindowWhenStreamTimeReachesItsEndPlusGrace() {
        // Given a window [W1, W1 + 1 min) with 30 s of grace
        long start = W1.toEpochMilli();

        // When stream time is just before, at, and after end + grace
        long closesAt = W1.plusSeconds(90).toEpochMilli();

        // Then it is open before and closed from end + grace on
        assertThat(MINUTE_WINDOWS.closesAt(start)).isEqualTo(closesAt);
        assertThat(MINUTE_WINDOWS.isClosed(start, closesAt - 1)).isFalse();
        assertThat(MINUTE_WINDOWS.isClosed(start, closesAt)).isTrue();
        assertThat(MINUTE_WINDOWS.isClosed(start, closesAt + 1)).isTrue();
        assertThat(MINUTE_WINDOWS.isClosed(start, Long.MIN_VALUE)).isFalse();
    }

    @Test
    void shouldDefaultTheRetentionToOneDayAndRejectOneShorterThanSizePlusGrace() {
        // Given settings without a retention
        // When they are created
        // Then the retention is one day, and a retention shorter than size + grace is refused
        assertThat(MINUTE_WINDOWS.retention()).isEqualTo(Duration.ofDays(1));
        assertThat(new WindowSettings(Duration.ofDays(1), Duration.ofHours(1)).retention()).isEqualTo(Duration.ofHours(25));
        assertThatThrownBy(() -> new WindowSettings(Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofSeconds(119)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("retention");
        assertThatThrownBy(() -> new WindowSettings(Duration.ZERO, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WindowSettings(Duration.ofMinutes(1), Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRememberOrderContributionsUntilTheirWindowClosedEvenAfterAFastClock() {
        // Given one-minute windows with 30 s grace and one hour of allowed clock skew
        // When the retention of order contributions is computed
        // Then it covers the window, its grace and the skew
        assertThat(MINUTE_WINDOWS.contributionRetention(Duration.ofHours(1)))
                .isEqualTo(Duration.ofMinutes(1).plusSeconds(30).plusHours(1));
    }
}
