package dev.streamfold.ingest.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestartBackoffTest {

    private final RestartBackoff backoff = new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30));

    @Test
    void shouldDoubleThePauseWithEachFailureInARowUpToTheMaximum() {
        assertThat(backoff.pauseAfter(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.pauseAfter(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.pauseAfter(5)).isEqualTo(Duration.ofSeconds(16));
        assertThat(backoff.pauseAfter(6)).isEqualTo(Duration.ofSeconds(30));
        assertThat(backoff.pauseAfter(1_000)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void shouldRefuseAMaximumBelowTheFirstPause() {
        assertThatThrownBy(() -> new RestartBackoff(Duration.ofSeconds(5), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
