package dev.streamfold.reconciliation.window;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamfold.schemas.ReconciliationStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WindowComparisonTest {

    private static final Instant CHECKED_AT = Instant.parse("2026-03-01T12:30:00Z");
    private static final TotalWindow AT_1200 = window("2026-03-01T12:00:00Z");
    private static final TotalWindow AT_1201 = window("2026-03-01T12:01:00Z");
    private static final TotalWindow AT_1202 = window("2026-03-01T12:02:00Z");

    @Test
    void shouldMatchWhenCountsQuantitiesAndEveryCurrencyAgree() {
        // Given the same totals in SQL and in the view
        Totals totals = new Totals(3, 5, Map.of("EUR", 1_250L, "USD", 500L));

        // When compared
        List<WindowVerdict> verdicts = WindowComparison.compare(Map.of(AT_1200, totals), Map.of(AT_1200, totals), CHECKED_AT);

        // Then the window matches
        assertThat(verdicts).containsExactly(new WindowVerdict(AT_1200, ReconciliationStatus.MATCH, totals, totals, CHECKED_AT));
    }

    @Test
    void shouldMismatchWhenOrderCountsDiffer() {
        // Given one order fewer in the view, with the same quantity and revenue (each figure is compared on its own)
        Totals expected = new Totals(3, 4, Map.of("EUR", 1_250L));
        Totals actual = new Totals(2, 4, Map.of("EUR", 1_250L));

        // When compared
        List<WindowVerdict> verdicts = WindowComparison.compare(Map.of(AT_1200, expected), Map.of(AT_1200, actual), CHECKED_AT);

        // Then the window mismatches and the verdict carries both sides
        assertThat(verdicts).containsExactly(new WindowVerdict(AT_1200, ReconciliationStatus.MISMATCH, expected, actual, CHECKED_AT));
    }

    @Test
    void shouldMismatchWhenOnlyTheQuantityDiffers() {
        // Given a correction of an order's quantity (its amount unchanged) that the view missed
        Totals expected = new Totals(2, 5, Map.of("EUR", 1_000L));
        Totals actual = new Totals(2, 3, Map.of("EUR", 1_000L));

        // When compared
        List<WindowVerdict> verdicts = WindowComparison.compare(Map.of(AT_1200, expected), Map.of(AT_1200, actual), CHECKED_AT);

        // Then the window mismatches, though count and revenue agree
        assertThat(verdicts).containsExactly(new WindowVerdict(AT_1200, ReconciliationStatus.MISMATCH, expected, actual, CHECKED_AT));
    }

    @Test
    void shouldMismatchWhenOneCurrencySumDiffers() {
        // Given equal counts, quantities and EUR, but USD differs by one cent
        Totals expected = new Totals(3, 3, Map.of("EUR", 1_250L, "USD", 500L));
        Totals actual = new Totals(3, 3, Map.of("EUR", 1_250L, "USD", 499L));

        // When compared
        List<WindowVerdict> verdicts = WindowComparison.compare(Map.of(AT_1200, expected), Map.of(AT_1200, actual), CHECKED_AT);

        // Then it mismatches
        assertThat(verdicts).extracting(WindowVerdict::status).containsExactly(ReconciliationStatus.MISMATCH);
    }

    @Test
    void shouldMismatchWhenACurrencyIsMissingOnOneSide() {
        // Given the view never saw the USD order but counted another EUR order instead
        Totals expected = new Totals(2, 2, Map.of("EUR", 1_000L, "USD", 500L));
        Totals actual = new Totals(2, 2, Map.of("EUR", 1_000L));

        // When compared
        List<WindowVerdict> verdicts = WindowComparison.compare(Map.of(AT_1200, expected), Map.of(AT_1200, actual), CHECKED_AT);

        // Then it mismatches
        assertThat(verdicts).extracting(WindowVerdict::status).containsExactly(ReconciliationStatus.MISMATCH);
    }

    @Test
    void shouldTreatAZeroSumCurrencyAsAbsent() {
        // Given a currency present with zero revenue on one side only
        Totals expected = new Totals(1, 1, Map.of("EUR", 0L));
        Totals actual = new Totals(1, 1, Map.of());

        // When compared
        List<WindowVerdict> verdicts = WindowComparison.compare(Map.of(AT_1200, expected), Map.of(AT_1200, actual), CHECKED_AT);

        // Then the sides agree
        assertThat(verdicts).extracting(WindowVerdict::status).containsExactly(ReconciliationStatus.MATCH);
    }

    @Test
    void shouldMismatchAWindowOnlyInSql() {
        // Given orders in SQL the pipeline never aggregated
        Totals expected = new Totals(1, 2, Map.of("EUR", 990L));

        // When compared with an empty view
        List<WindowVerdict> verdicts = WindowComparison.compare(Map.of(AT_1200, expected), Map.of(), CHECKED_AT);

        // Then the window mismatches against zero
        assertThat(verdicts).containsExactly(new WindowVerdict(AT_1200, ReconciliationStatus.MISMATCH, expected, Totals.NONE, CHECKED_AT));
    }

    @Test
    void shouldMismatchAWindowOnlyInTheView() {
        // Given an aggregate of orders SQL does not know (e.g. published straight to Kafka)
        Totals actual = new Totals(4, 4, Map.of("USD", 4_000L));

        // When compared with no rows from SQL
        List<WindowVerdict> verdicts = WindowComparison.compare(Map.of(), Map.of(AT_1201, actual), CHECKED_AT);

        // Then the window mismatches against zero
        assertThat(verdicts).containsExactly(new WindowVerdict(AT_1201, ReconciliationStatus.MISMATCH, Totals.NONE, actual, CHECKED_AT));
    }

    @Test
    void shouldJudgeEveryWindowOfEitherSideInWindowOrder() {
        // Given three windows, each present on at least one side
        Totals totals = new Totals(1, 1, Map.of("EUR", 100L));
        Map<TotalWindow, Totals> expected = Map.of(AT_1202, totals, AT_1200, totals);
        Map<TotalWindow, Totals> actual = Map.of(AT_1200, totals, AT_1201, totals);

        // When compared
        List<WindowVerdict> verdicts = WindowComparison.compare(expected, actual, CHECKED_AT);

        // Then there is one verdict per window, earliest window first
        assertThat(verdicts).extracting(WindowVerdict::window).containsExactly(AT_1200, AT_1201, AT_1202);
        assertThat(verdicts).extracting(WindowVerdict::status).containsExactly(
                ReconciliationStatus.MATCH, ReconciliationStatus.MISMATCH, ReconciliationStatus.MISMATCH);
    }

    @Test
    void shouldAddUpCountQuantityAndRevenuePerCurrency() {
        // Given the rows of one window in two currencies
        Totals euros = new Totals(2, 3, Map.of("EUR", 1_000L));
        Totals dollars = new Totals(1, 2, Map.of("USD", 500L));

        // When added up
        Totals window = euros.plus(dollars).plus(new Totals(1, 1, Map.of("EUR", 250L)));

        // Then counts and quantities add, and revenue stays per currency
        assertThat(window).isEqualTo(new Totals(4, 6, Map.of("EUR", 1_250L, "USD", 500L)));
    }

    @Test
    void shouldSeeNoNewsInTheSameOutcomeCheckedLater() {
        // Given a verdict, the same verdict from a later batch, a changed verdict and one whose quantity alone changed
        Totals totals = new Totals(1, 1, Map.of("EUR", 100L));
        WindowVerdict first = new WindowVerdict(AT_1200, ReconciliationStatus.MATCH, totals, totals, CHECKED_AT);
        WindowVerdict later = new WindowVerdict(AT_1200, ReconciliationStatus.MATCH, totals, totals, CHECKED_AT.plusSeconds(10));
        WindowVerdict changed = new WindowVerdict(AT_1200, ReconciliationStatus.MISMATCH, totals, Totals.NONE, CHECKED_AT.plusSeconds(20));
        WindowVerdict otherQuantity = new WindowVerdict(AT_1200, ReconciliationStatus.MISMATCH, totals,
                new Totals(1, 2, Map.of("EUR", 100L)), CHECKED_AT.plusSeconds(30));

        // Then only a different conclusion or different numbers count as a new outcome
        assertThat(later.sameOutcomeAs(first)).isTrue();
        assertThat(changed.sameOutcomeAs(first)).isFalse();
        assertThat(otherQuantity.sameOutcomeAs(changed)).isFalse();
    }

    private static TotalWindow window(String start) {
        Instant from = Instant.parse(start);
        return new TotalWindow(from, from.plusSeconds(60));
    }
}
