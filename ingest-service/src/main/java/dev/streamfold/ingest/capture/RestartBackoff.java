package dev.streamfold.ingest.capture;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the capture engine waits before it starts again after a failure: {@code initial}, doubling with each
 * failure in a row, at most {@code max}. A run that streamed for at least {@code max} starts the count again.
 */
record RestartBackoff(Duration initial, Duration max) {

    static final RestartBackoff DEFAULT = new RestartBackoff(Duration.ofSeconds(1), Duration.ofMinutes(1));

    RestartBackoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("restart backoff must be positive and max >= initial: " + initial + ", " + max);
        }
    }

    /** The pause before restart number {@code failuresInARow} (1 for the first failure). */
    Duration pauseAfter(int failuresInARow) {
        Duration pause = initial;
        for (int i = 1; i < failuresInARow && pause.compareTo(max) < 0; i++) {
            pause = pause.multipliedBy(2);
        }
        return pause.compareTo(max) > 0 ? max : pause;
    }
}
