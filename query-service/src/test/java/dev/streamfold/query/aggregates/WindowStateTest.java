package dev.streamfold.query.aggregates;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WindowStateTest {

    private static final Instant END = Instant.parse("2026-11-21T10:01:00Z");
    private static final Duration GRACE = Duration.ofMinutes(1);

    @ParameterizedTest(name = "at {0}: {1}")
    @CsvSource({
            "2026-11-21T10:00:00Z,     OPEN",
            "2026-11-21T10:00:59.999Z, OPEN",
            "2026-11-21T10:01:00Z,     IN_GRACE",
            "2026-11-21T10:01:59.999Z, IN_GRACE",
            "2026-11-21T10:02:00Z,     CLOSED",
            "2026-11-22T00:00:00Z,     CLOSED"})
    void shouldJudgeAWindowOpenBeforeItsEndInGraceUntilEndPlusGraceAndClosedFromThen(Instant now, WindowState expected) {
        // Given a window ending at 10:01 and a grace of one minute
        // When its state is judged at an instant of the wall clock
        WindowState state = WindowState.of(END, GRACE, now);

        // Then it is open before the end, in grace from the end, closed from the end plus the grace on
        assertThat(state).isEqualTo(expected);
    }

    @ParameterizedTest(name = "at {0}: {1}")
    @CsvSource({"2026-11-21T10:00:59.999Z, OPEN", "2026-11-21T10:01:00Z, CLOSED"})
    void shouldGoStraightFromOpenToClosedWithoutGrace(Instant now, WindowState expected) {
        // Given no grace period
        // When the state is judged just before and at the window's end
        // Then there is no time in grace
        assertThat(WindowState.of(END, Duration.ZERO, now)).isEqualTo(expected);
    }
}
