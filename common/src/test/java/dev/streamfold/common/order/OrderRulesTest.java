package dev.streamfold.common.order;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.OrderSource;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class OrderRulesTest {

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private final OrderRules rules = new OrderRules(Duration.ofHours(1), Instant.parse("2000-01-01T00:00:00Z"));

    @Test
    void shouldAcceptAnOrdinaryOrderAndAYearsOldOne() {
        assertThatCode(() -> rules.requireValid(order().build(), NOW)).doesNotThrowAnyException();
        assertThatCode(() -> rules.requireValid(order().setEventTime(Instant.parse("2016-02-29T23:59:59Z")).build(), NOW))
                .doesNotThrowAnyException();
    }

    @Test
    void shouldRejectNonPositiveQuantitiesAndNegativeAmounts() {
        assertInvalid(order().setQuantity(0), "quantity must be positive, was 0");
        assertInvalid(order().setQuantity(-2), "quantity must be positive, was -2");
        assertInvalid(order().setAmountMinor(-1), "amount_minor must not be negative, was -1");
    }

    @Test
    void shouldRejectWhatIsNotAnIsoCurrency() {
        assertInvalid(order().setCurrency("eu1"), "currency 'eu1' is not an ISO 4217 code");
        assertInvalid(order().setCurrency(""), "currency '' is not an ISO 4217 code");
        assertInvalid(order().setCurrency("ZZZ"), "currency 'ZZZ' is not an ISO 4217 code");
        assertInvalid(order().setCurrency("eur"), "currency 'eur' is not an ISO 4217 code");
    }

    @Test
    void shouldRejectMissingIds() {
        assertInvalid(order().setEventId(" "), "event_id is missing");
        assertInvalid(order().setCustomerId(0), "customer_id must be a positive id, was 0");
        assertInvalid(order().setProductId(-3), "product_id must be a positive id, was -3");
    }

    @Test
    void shouldRejectEventTimesFarInTheFutureOrBeforeTheEarliest() {
        assertInvalid(order().setEventTime(Instant.parse("9999-01-01T00:00:00Z")), "is more than PT1H in the future");
        assertInvalid(order().setEventTime(NOW.plus(Duration.ofMinutes(61))), "is more than PT1H in the future");
        assertInvalid(order().setEventTime(Instant.parse("0001-01-01T00:00:00Z")), "is before the earliest accepted");
        assertThatCode(() -> rules.requireValid(order().setEventTime(NOW.plus(Duration.ofMinutes(59))).build(), NOW))
                .doesNotThrowAnyException();
    }

    @Test
    void shouldNameEveryViolationAtOnce() {
        assertThatThrownBy(() -> rules.requireValid(order().setQuantity(0).setCurrency("ZZZ").build(), NOW))
                .isInstanceOf(InvalidOrderException.class)
                .hasMessage("Order 17 (event shop-1) is invalid: quantity must be positive, was 0; currency 'ZZZ' is not an ISO 4217 code");
    }

    private void assertInvalid(Order.Builder order, String reason) {
        assertThatThrownBy(() -> rules.requireValid(order.build(), NOW))
                .isInstanceOf(InvalidOrderException.class).hasMessageContaining(reason);
    }

    private static Order.Builder order() {
        return Order.newBuilder().setEventId("shop-1").setOrderId(17).setCustomerId(2).setProductId(3).setQuantity(1)
                .setAmountMinor(1_250).setCurrency("EUR").setStatus("PLACED").setEventTime(NOW.minusSeconds(30))
                .setSource(OrderSource.DIRECT);
    }
}
