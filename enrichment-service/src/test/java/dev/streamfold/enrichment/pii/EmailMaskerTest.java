package dev.streamfold.enrichment.pii;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class EmailMaskerTest {

    @Test
    void shouldKeepOnlyTheFirstCharacterOfTheLocalPartAndTheDomain() {
        // When a customer's address is masked
        String masked = EmailMasker.mask("jane.doe@example.com");
        // Then the local part is hidden but recognisable
        assertThat(masked).isEqualTo("j***@example.com");
    }

    @Test
    void shouldHideTheLengthOfAOneCharacterLocalPart() {
        assertThat(EmailMasker.mask("j@example.com")).isEqualTo("j***@example.com");
    }

    @Test
    void shouldKeepTheDomainAfterTheLastAtSign() {
        // Given a quoted local part that itself contains an at sign
        String masked = EmailMasker.mask("\"a@b\"@example.com");
        // Then nothing of the local part but its first character survives
        assertThat(masked).isEqualTo("\"***@example.com");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"jane.doe", "@example.com", "   "})
    void shouldRevealNothingOfAnythingThatIsNotAnAddress(String notAnAddress) {
        assertThat(EmailMasker.mask(notAnAddress)).isEqualTo("***");
    }
}
