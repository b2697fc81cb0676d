package dev.streamfold.reconciliation.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.reconciliation.window.SettledRange;
import dev.streamfold.reconciliation.window.TotalWindow;
import dev.streamfold.reconciliation.window.Totals;
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AggregateViewTest {

    private static final Instant W = Instant.parse("2026-03-01T12:00:00Z");
    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final SettledRange UP_TO_1210 = new SettledRange(W.minus(MINUTE.multipliedBy(10)), W.plus(MINUTE.multipliedBy(10)));

    private final AggregateView view = new AggregateView();

    @Test
    void shouldKeepTheLatestTotalOfEachWindowWithItsQuantity() {
        // Given two updates of window W and one of the next window
        view.apply(key(W), total(W, 1, 2, Map.of("EUR", 700L)));
        view.apply(key(W), total(W, 2, 5, Map.of("EUR", 1_000L, "USD", 300L)));
        view.apply(key(W.plus(MINUTE)), total(W.plus(MINUTE), 1, 1, Map.of("GBP", 50L)));

        // When the settled windows are read
        Map<TotalWindow, Totals> settled = view.settledIn(UP_TO_1210);

        // Then each window has its latest count, quantity and revenue
        assertThat(settled).containsExactlyInAnyOrderEntriesOf(Map.of(
                new TotalWindow(W, W.plus(MINUTE)), new Totals(2, 5, Map.of("EUR", 1_000L, "USD", 300L)),
                new TotalWindow(W.plus(MINUTE), W.plus(MINUTE.multipliedBy(2))), new Totals(1, 1, Map.of("GBP", 50L))));
    }

    @Test
    void shouldDropAWindowOnATombstoneAndWindowsOutsideTheRange() {
        // Given window W, then its tombstone, and a window after the settled range
        view.apply(key(W), total(W, 1, 1, Map.of("EUR", 100L)));
        view.apply(key(W), null);
        Instant later = W.plus(MINUTE.multipliedBy(10));
        view.apply(key(later), total(later, 1, 1, Map.of("EUR", 100L)));

        // When the settled windows are read
        Map<TotalWindow, Totals> settled = view.settledIn(UP_TO_1210);

        // Then neither is there
        assertThat(settled).isEmpty();
    }

    @Test
    void shouldForgetWindowsThatLeftTheLookback() {
        // Given windows W and W + 1 minute
        view.apply(key(W), total(W, 1, 1, Map.of("EUR", 100L)));
        view.apply(key(W.plus(MINUTE)), total(W.plus(MINUTE), 1, 1, Map.of("EUR", 100L)));

        // When windows starting before W + 1 minute are forgotten
        view.forgetBefore(W.plus(MINUTE));

        // Then only the later one is left
        assertThat(view.settledIn(UP_TO_1210)).containsOnlyKeys(new TotalWindow(W.plus(MINUTE), W.plus(MINUTE.multipliedBy(2))));
    }

    @Test
    void shouldRefuseAggregatesThatAreNotOfTheDimensionTotal() {
        // Given a category's aggregate, a total keyed by a category, and a total keyed by another window
        WindowAggregate books = WindowAggregate.newBuilder(total(W, 1, 1, Map.of("EUR", 100L)))
                .setDimension(Dimension.CATEGORY.id()).setDimensionValue("books").build();

        // Then none of them can be applied (so each goes to the dead-letter topic), and the view stays empty
        assertThatIllegalArgumentException().isThrownBy(() -> view.apply(key(W), books))
                .withMessageContaining("'category'");
        assertThatIllegalArgumentException().isThrownBy(() -> view.apply(new WindowKey("books", W), total(W, 1, 1, Map.of())))
                .withMessageContaining("'books'");
        assertThatIllegalArgumentException().isThrownBy(() -> view.apply(key(W.plus(MINUTE)), total(W, 1, 1, Map.of())))
                .withMessageContaining("another window start");
        assertThatIllegalArgumentException().isThrownBy(() -> view.apply(null, total(W, 1, 1, Map.of())));
        assertThat(view.settledIn(UP_TO_1210)).isEmpty();
    }

    private static WindowKey key(Instant windowStart) {
        return new WindowKey(Dimension.TOTAL_VALUE, windowStart);
    }

    private static WindowAggregate total(Instant windowStart, long orders, long quantity, Map<String, Long> revenue) {
        return WindowAggregate.newBuilder()
                .setDimension(Dimension.TOTAL.id())
                .setDimensionValue(Dimension.TOTAL_VALUE)
                .setWindowStart(windowStart)
                .setWindowEnd(windowStart.plus(MINUTE))
                .setOrderCount(orders)
                .setQuantity(quantity)
                .setRevenueMinor(revenue)
                .build();
    }
}
