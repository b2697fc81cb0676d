package dev.streamfold.reconciliation.window;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamfold.schemas.ReconciliationStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WindowComparisonTest {

    private static final Instant CHECKED_AT = Instant.parse("2026-03-01T12:30:00Z");
    private static final CategoryWindow BOOKS_1200 = window("books", "2026-03-01T12:00:00Z");
    private static final CategoryWindow BOOKS_1201 = window("books", "2026-03-01T12:01:00Z");
    private static final CategoryWindow GAMES_1200 = window("games", "2026-03-01T12:00:00Z");

    @Test
    void shouldMatchWhenCountsAndEveryCurrencyAgree() {
        // Given the same totals in SQL and in the view
        Totals totals = new Totals(3, Map.of("EUR", 1_250L, "USD", 500L));

        // When compared
        List<WindowVerdict> verdicts = WindowComparison.compare(Map.of(BOOKS_1200, totals), Map.of(BOOKS_1200, totals), CHECKED_AT);

        // Then the window matches
        assertThat(verdicts).containsExactly(new WindowVerdict(BOOKS_1200, ReconciliationStatus.MATCH, totals, totals, CHECKED_AT));
    }

    @Test
    void shouldMismatchWhenOrderCountsDiffer() {
        // Given the view missed an order of zero amount: same revenue, one order fewer
        Totals expected = new Totals(3, Map.of("EUR", 1_250L));
        Totals actual = new Totals(2, Map.of("EUR", 1_250L));

        // When compared
        List<WindowVerdict> verdicts = WindowComparison.compare(Map.of(BOOKS_1200, expected), Map.of(BOOKS_1200, actual), CHECKED_AT);

        // Then the window mismatches and the report carries both sides
        assertThat(verdicts).containsExactly(new WindowVerdict(BOOKS_1200, ReconciliationStatus.MISMATCH, expected, actual, CHECKED_AT));
    }

    @Test
    void shouldMismatchWhenOneCurrencySumDiffers() {
        // Given equal counts and EUR, but USD differs by one cent
        Totals expected = new Totals(3, Map.of("EUR", 1_250L, "USD", 500L));
        Totals actual = new Totals(3, Map.of("EUR", 1_250L, "USD", 499L));

        // When compared
        List<WindowVerdict> verdicts = WindowComparison.compare(Map.of(BOOKS_1200, expected), Map.of(BOOKS_1200, actual), CHECKED_AT);

        // Then it mismatches
        assertThat(verdicts).extracting(WindowVerdict::status).containsExactly(ReconciliationStatus.MISMATCH);
    }

    @Test
    void shouldMismatchWhenACurrencyIsMissingOnOneSide() {
        // Given the view never saw the USD order but counted another EUR order instead
        Totals expected = new Totals(2, Map.of("EUR", 1_000L, "USD", 500L));
        Totals actual = new Totals(2, Map.of("EUR", 1_000L));

        // When compared
        List<WindowVerdict> verdicts = WindowComparison.compare(Map.of(BOOKS_1200, expected), Map.of(BOOKS_1200, actual), CHECKED_AT);

        // Then it mismatches
        assertThat(verdicts).extracting(WindowVerdict::status).containsExactly(ReconciliationStatus.MISMATCH);
    }

    @Test
    void shouldTreatAZeroSumCurrencyAsAbsent() {
        // Given a currency present with zero revenue on one side only
        Totals expected = new Totals(1, Map.of("EUR", 0L));
        Totals actual = new Totals(1, Map.of());

        // When compared
        List<WindowVerdict> verdicts = WindowComparison.compare(Map.of(BOOKS_1200, expected), Map.of(BOOKS_1200, actual), CHECKED_AT);

        // Then the sides agree
        assertThat(verdicts).extracting(WindowVerdict::status).containsExactly(ReconciliationStatus.MATCH);
    }

    @Test
    void shouldMismatchAWindowOnlyInSql() {
        // Given orders in SQL the pipeline never aggregated
        Totals expected = new Totals(1, Map.of("EUR", 990L));

        // When compared with an empty view
        List<WindowVerdict> verdicts = WindowComparison.compare(Map.of(BOOKS_1200, expected), Map.of(), CHECKED_AT);

        // Then the window mismatches against zero
        assertThat(verdicts).containsExactly(new WindowVerdict(BOOKS_1200, ReconciliationStatus.MISMATCH, expected, Totals.NONE, CHECKED_AT));
    }

    @Test
    void shouldMismatchAWindowOnlyInTheView() {
        // Given an aggregate of orders SQL does not know (e.g. published straight to Kafka)
        Totals actual = new Totals(4, Map.of("USD", 4_000L));

        // When compared with no rows from SQL
        List<WindowVerdict> verdicts = WindowComparison.compare(Map.of(), Map.of(GAMES_1200, actual), CHECKED_AT);

        // Then the window mismatches against zero
        assertThat(verdicts).containsExactly(new WindowVerdict(GAMES_1200, ReconciliationStatus.MISMATCH, Totals.NONE, actual, CHECKED_AT));
    }

    @Test
    void shouldJudgeEveryWindowOfEitherSideInWindowOrder() {
        // Given three windows, each present on at least one side
        Totals totals = new Totals(1, Map.of("EUR", 100L));
        Map<CategoryWindow, Totals> expected = Map.of(BOOKS_1201, totals, BOOKS_1200, totals);
        Map<CategoryWindow, Totals> actual = Map.of(BOOKS_1200, totals, GAMES_1200, totals);

        // When compared
        List<WindowVerdict> verdicts = WindowComparison.compare(expected, actual, CHECKED_AT);

        // Then there is one verdict per window, earliest window first
        assertThat(verdicts).extracting(WindowVerdict::window).containsExactly(BOOKS_1200, GAMES_1200, BOOKS_1201);
        assertThat(verdicts).extracting(WindowVerdict::status).containsExactly(
                ReconciliationStatus.MATCH, ReconciliationStatus.MISMATCH, ReconciliationStatus.MISMATCH);
    }

    @Test
    void shouldSeeNoNewsInTheSameOutcomeCheckedLater() {
        // Given a verdict and the same verdict from a later batch
        Totals totals = new Totals(1, Map.of("EUR", 100L));
        WindowVerdict first = new WindowVerdict(BOOKS_1200, ReconciliationStatus.MATCH, totals, totals, CHECKED_AT);
        WindowVerdict later = new WindowVerdict(BOOKS_1200, ReconciliationStatus.MATCH, totals, totals, CHECKED_AT.plusSeconds(10));
        WindowVerdict changed = new WindowVerdict(BOOKS_1200, ReconciliationStatus.MISMATCH, totals, Totals.NONE, CHECKED_AT.plusSeconds(20));

        // Then only a different conclusion or different numbers count as a new outcome
        assertThat(later.sameOutcomeAs(first)).isTrue();
        assertThat(changed.sameOutcomeAs(first)).isFalse();
    }

    private static CategoryWindow window(String category, String start) {
        Instant from = Instant.parse(start);
        return new CategoryWindow(category, from, from.plusSeconds(60));
    }
}
