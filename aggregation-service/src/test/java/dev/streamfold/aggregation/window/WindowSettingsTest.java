package dev.streamfold.aggregation.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamfold.common.aggregate.WindowKind;
import dev.streamfold.common.aggregate.WindowSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WindowSettingsTest {

    private static final Instant W1 = Instant.parse("2026-03-01T10:00:00Z");
    private static final WindowSpec MINUTES = WindowSpec.tumbling(Duration.ofMinutes(1));
    private static final WindowSpec FIVE_EVERY_ONE = WindowSpec.hopping(Duration.ofMinutes(5), Duration.ofMinutes(1));
    private static final WindowSettings SETTINGS = new WindowSettings(MINUTES, FIVE_EVERY_ONE, Duration.ofSeconds(30),
            Duration.ofDays(1), Duration.ofHours(1));

    @Test
    void shouldPutAnEventTimeInTheEpochAlignedTumblingWindowContainingIt() {
        // Given event times at the start, inside and at the last millisecond of a window, and at the next one
        // When their windows are computed
        // Then [start, end): the start is inclusive, the end exclusive
        assertThat(MINUTES.lastStart(W1.toEpochMilli())).isEqualTo(W1.toEpochMilli());
        assertThat(MINUTES.lastStart(W1.plusSeconds(37).toEpochMilli())).isEqualTo(W1.toEpochMilli());
        assertThat(MINUTES.lastStart(W1.plusSeconds(60).minusMillis(1).toEpochMilli())).isEqualTo(W1.toEpochMilli());
        assertThat(MINUTES.lastStart(W1.plusSeconds(60).toEpochMilli())).isEqualTo(W1.plusSeconds(60).toEpochMilli());
        assertThat(MINUTES.firstStart(W1.plusSeconds(37).toEpochMilli())).isEqualTo(W1.toEpochMilli());
        assertThat(MINUTES.end(W1.toEpochMilli())).isEqualTo(W1.plusSeconds(60).toEpochMilli());
    }

    @Test
    void shouldPutAnEventTimeInEveryHoppingWindowContainingIt() {
        // Given an event time 4 min 30 s after a minute boundary's W1, and one at the exact end of a window
        long eventTime = W1.plus(Duration.ofMinutes(4)).plusSeconds(30).toEpochMilli();

        // When its hopping windows (5 min, every minute) are listed
        List<Instant> starts = new ArrayList<>();
        for (long start = FIVE_EVERY_ONE.firstStart(eventTime); start <= eventTime; start += FIVE_EVERY_ONE.advanceMs()) {
            starts.add(Instant.ofEpochMilli(start));
        }

        // Then the five windows starting from W1 to W1 + 4 min contain it, and a window's end belongs to the next
        assertThat(starts).containsExactly(W1, W1.plusSeconds(60), W1.plusSeconds(120), W1.plusSeconds(180), W1.plusSeconds(240));
        assertThat(FIVE_EVERY_ONE.firstStart(W1.plus(Duration.ofMinutes(5)).toEpochMilli())).isEqualTo(W1.plusSeconds(60).toEpochMilli());
    }

    @Test
    void shouldAlignWindowsBeforeTheEpochToo() {
        // Given an event time before 1970 (accepted if the earliest event time is configured that far back)
        long eventTime = Instant.parse("1969-12-31T23:59:30Z").toEpochMilli();

        // When its window is computed
        // Then it starts on the minute before, not after
        assertThat(MINUTES.lastStart(eventTime)).isEqualTo(Instant.parse("1969-12-31T23:59:00Z").toEpochMilli());
    }

    @Test
    void shouldCloseAWindowWhenStreamTimeReachesItsEndPlusGrace() {
        // Given a tumbling window [W1, W1 + 1 min) and a hopping one [W1, W1 + 5 min), with 30 s of grace
        long start = W1.toEpochMilli();

        // When the times they close at are computed
        long closesAt = W1.plusSeconds(90).toEpochMilli();

        // Then each closes at its end + grace; an order is late from its tumbling window's close on
        assertThat(SETTINGS.closesAt(WindowKind.TUMBLING, start)).isEqualTo(closesAt);
        assertThat(SETTINGS.closesAt(WindowKind.HOPPING, start)).isEqualTo(W1.plusSeconds(330).toEpochMilli());
        assertThat(SETTINGS.isLate(start + 59_999, closesAt - 1)).isFalse();
        assertThat(SETTINGS.isLate(start + 59_999, closesAt)).isTrue();
        assertThat(SETTINGS.isLate(start, Long.MIN_VALUE)).isFalse();
    }

    @Test
    void shouldDefaultTheRetentionToOneDayAndRejectOneShorterThanTheLongestWindowPlusGraceAndStragglerHorizon() {
        // Given settings without a retention
        // When they are created
        // Then the retention is one day (or the longest window + grace + straggler horizon), and a shorter one refused
        assertThat(new WindowSettings(Duration.ofMinutes(1), Duration.ofMinutes(1)).retention()).isEqualTo(Duration.ofDays(1));
        assertThat(new WindowSettings(Duration.ofDays(1), Duration.ofHours(1)).retention()).isEqualTo(Duration.ofHours(26));
        assertThatThrownBy(() -> new WindowSettings(MINUTES, FIVE_EVERY_ONE, Duration.ofMinutes(1), Duration.ofSeconds(359), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("retention");
        assertThatThrownBy(() -> new WindowSettings(Duration.ZERO, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WindowSettings(Duration.ofMinutes(1), Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WindowSpec.hopping(Duration.ofMinutes(5), Duration.ofMinutes(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("divide");
    }

    @Test
    void shouldKeepOrdersOfEveryWindowStillOpenBehindTheHorizon() {
        // Given one-minute and five-minute windows with 30 s grace, and a stream time
        long streamTime = W1.plus(Duration.ofHours(1)).toEpochMilli();

        // When the horizon is computed
        long horizon = SETTINGS.earliestOpenEventTime(streamTime);

        // Then the earliest window still open starts after it, every window of an order before it is closed, and
        // orders are kept for the straggler horizon longer
        assertThat(horizon).isEqualTo(streamTime - Duration.ofMinutes(5).plusSeconds(30).toMillis());
        long earliestOpen = FIVE_EVERY_ONE.lastStart(streamTime);
        while (SETTINGS.closesAt(WindowKind.HOPPING, earliestOpen - FIVE_EVERY_ONE.advanceMs()) > streamTime) {
            earliestOpen -= FIVE_EVERY_ONE.advanceMs();
        }
        assertThat(earliestOpen).isGreaterThanOrEqualTo(horizon);
        assertThat(SETTINGS.closesAt(WindowKind.HOPPING, FIVE_EVERY_ONE.lastStart(horizon - 1))).isLessThanOrEqualTo(streamTime);
        assertThat(SETTINGS.closesAt(WindowKind.TUMBLING, MINUTES.lastStart(horizon - 1))).isLessThanOrEqualTo(streamTime);
        assertThat(SETTINGS.keptFrom(streamTime)).isEqualTo(horizon - Duration.ofHours(1).toMillis());
    }
}
