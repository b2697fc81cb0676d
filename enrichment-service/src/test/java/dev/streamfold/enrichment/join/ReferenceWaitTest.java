package dev.streamfold.enrichment.join;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReferenceWaitTest {

    @Test
    void shouldRefuseAWaitOrRetryIntervalShorterThanOneMillisecond() {
        assertThatThrownBy(() -> new ReferenceWait(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxWait");
        assertThatThrownBy(() -> new ReferenceWait(Duration.ofSeconds(30), Duration.ofNanos(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retryInterval");
        assertThatThrownBy(() -> new ReferenceWait(null, Duration.ofSeconds(1))).isInstanceOf(NullPointerException.class);
    }
}
