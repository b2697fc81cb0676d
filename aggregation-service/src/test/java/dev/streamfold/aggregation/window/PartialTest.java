package dev.streamfold.aggregation.window;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamfold.schemas.WindowAggregate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PartialTest {

    private static final long START = 1_772_359_200_000L;
    private static final long END = START + 60_000;

    @Test
    void shouldWriteTheCurrenciesSortedWhateverOrderTheyCameIn() {
        // Given one customer's orders in three currencies, added in two different orders
        List<OrderContribution> orders = List.of(order(1, "USD", 1_999), order(1, "EUR", 500), order(1, "GBP", 12_000));
        Partial forwards = partialOf(orders);
        Partial backwards = partialOf(orders.reversed());

        // When both are written
        byte[] written = bytes(forwards);

        // Then the bytes are equal (currencies are written sorted, as the maps they were kept in wrote them), and read
        // back they say the same
        assertThat(bytes(backwards)).isEqualTo(written);
        Partial read = BinaryFormat.read(written, "a partial", Partial::read);
        assertThat(bytes(read)).isEqualTo(written);
        assertThat(aggregate(read)).isEqualTo(aggregate(forwards));
    }

    @Test
    void shouldKeepEachCurrencysFiguresApartThroughSubtractAndCombine() {
        // Given two partitions' partials with orders in two currencies
        Partial first = partialOf(List.of(order(1, "EUR", 500), order(2, "USD", 900), order(3, "EUR", 100)));
        Partial second = partialOf(List.of(order(4, "USD", 50)));

        // When an order is taken back out of the first, and both are combined
        first.subtract(order(3, "EUR", 100));
        WindowAggregate combined = aggregate(Partial.combine(List.of(first, second)));

        // Then counts and revenue are exact per currency; minimum and maximum span both partitions
        assertThat(combined.getOrderCount()).isEqualTo(3);
        assertThat(combined.getRevenueMinor()).isEqualTo(Map.of("EUR", 500L, "USD", 950L));
        assertThat(combined.getMaxOrderMinor()).isEqualTo(Map.of("EUR", 500L, "USD", 900L));
        assertThat(combined.getMinOrderMinor().get("USD")).isEqualTo(50L);
        assertThat(combined.getOrderValueQuantiles().get("USD").getOrderCount()).isEqualTo(2);
    }

    @Test
    void shouldKeepACurrencyWhoseRevenueWentBackToZero() {
        // Given a window with one order in JPY and one in EUR
        Partial partial = partialOf(List.of(order(1, "JPY", 3_000), order(2, "EUR", 10)));

        // When the JPY order is taken back out
        partial.subtract(order(1, "JPY", 3_000));

        // Then JPY shows zero rather than disappearing, also after a round trip through its bytes
        assertThat(partial.revenue()).isEqualTo(Map.of("JPY", 0L, "EUR", 10L));
        assertThat(BinaryFormat.read(bytes(partial), "a partial", Partial::read).revenue()).isEqualTo(Map.of("JPY", 0L,
                "EUR", 10L));
    }

    private static OrderContribution order(long customerId, String currency, long amountMinor) {
        return new OrderContribution(1, customerId, "books", "NL", currency, amountMinor, 1, true);
    }

    private static Partial partialOf(List<OrderContribution> orders) {
        Partial partial = new Partial();
        orders.forEach(partial::add);
        return partial;
    }

    private static byte[] bytes(Partial partial) {
        return BinaryFormat.write(64, "a partial", partial::write);
    }

    private static WindowAggregate aggregate(Partial partial) {
        return partial.toAggregate("category", "books", START, END, false);
    }
}
