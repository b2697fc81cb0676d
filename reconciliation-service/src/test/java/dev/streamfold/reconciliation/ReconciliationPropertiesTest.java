package dev.streamfold.reconciliation;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamfold.common.config.StreamfoldProperties;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReconciliationPropertiesTest {

    /** streamfold.windows.* as every service gets them: one-minute windows, one minute of grace. */
    private static final StreamfoldProperties.Windows WINDOWS = new StreamfoldProperties.Windows(Duration.ofMinutes(1),
            Duration.ofMinutes(1), StreamfoldProperties.Hopping.defaults());

    @Test
    void shouldRefuseToCheckWindowsThatLateOrdersMayStillChange() {
        // Given a settle delay no longer than the shared grace
        ReconciliationProperties properties = new ReconciliationProperties("rec", Duration.ofSeconds(10),
                Duration.ofMinutes(1), Duration.ofHours(24));
        // Then the settings are refused, naming both
        assertThatThrownBy(() -> properties.requireConsistentWith(WINDOWS))
                .hasMessageContaining("reconciliation.settle-delay").hasMessageContaining("streamfold.windows.grace");
    }

    @Test
    void shouldRefuseALookbackShorterThanOneWindowAndAcceptTheDefaults() {
        ReconciliationProperties tooShort = new ReconciliationProperties("rec", Duration.ofSeconds(10),
                Duration.ofMinutes(2), Duration.ofSeconds(30));
        assertThatThrownBy(() -> tooShort.requireConsistentWith(WINDOWS)).hasMessageContaining("reconciliation.lookback");
        ReconciliationProperties defaults = new ReconciliationProperties("rec", Duration.ofSeconds(10),
                Duration.ofMinutes(2), Duration.ofHours(24));
        assertThatCode(() -> defaults.requireConsistentWith(WINDOWS)).doesNotThrowAnyException();
    }
}
