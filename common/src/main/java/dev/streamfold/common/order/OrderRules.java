package dev.streamfold.common.order;

import dev.streamfold.schemas.EnrichedOrder;
import dev.streamfold.schemas.Order;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one rule every order passes, whichever way it entered the pipeline (change data capture of the orders table, or
 * an application publishing to {@code orders}), and again at every stage that reads orders from a topic anyone can
 * write to. An order that breaks it is dead-lettered with every violation spelled out, never counted.
 *
 * <p>Event-time bounds keep one bad clock from harming everyone: an order from the far future would close every open
 * window of its partition, one from the distant past would open a window nobody reconciles.
 *
 * @param maxEventTimeAhead how far after the validating service's clock an event time may lie (clock skew)
 * @param earliestEventTime the earliest event time accepted
 */
public record OrderRules(Duration maxEventTimeAhead, Instant earliestEventTime) {

    public static final Duration DEFAULT_MAX_AHEAD = Duration.ofHours(1);
    public static final Instant DEFAULT_EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

    private static final Set<String> ISO_4217 = Currency.getAvailableCurrencies().stream()
            .map(Currency::getCurrencyCode).collect(Collectors.toUnmodifiableSet());

    public OrderRules {
        Objects.requireNonNull(maxEventTimeAhead, "maxEventTimeAhead");
        Objects.requireNonNull(earliestEventTime, "earliestEventTime");
        if (maxEventTimeAhead.isNegative()) {
            throw new IllegalArgumentException("maxEventTimeAhead must not be negative: " + maxEventTimeAhead);
        }
    }

    public static OrderRules defaults() {
        return new OrderRules(DEFAULT_MAX_AHEAD, DEFAULT_EARLIEST);
    }

    /** @throws InvalidOrderException naming every rule the order breaks */
    public void requireValid(Order order, Instant now) {
        require(new Fields(order.getEventId(), order.getOrderId(), order.getCustomerId(), order.getProductId(),
                order.getQuantity(), order.getAmountMinor(), order.getCurrency(), order.getEventTime(), order.getVersion()), now);
    }

    /** Enriched orders can be published directly too; they answer to the same rule as the orders they came from. */
    public void requireValid(EnrichedOrder order, Instant now) {
        require(new Fields(order.getEventId(), order.getOrderId(), order.getCustomerId(), order.getProductId(),
                order.getQuantity(), order.getAmountMinor(), order.getCurrency(), order.getEventTime(), order.getVersion()), now);
    }

    /** A record of {@code orders}: a value (no tombstones), keyed by its customer id, passing the rule. */
    public void requireValidRecord(String key, Order order, Instant now) {
        requireValue(key, order);
        requireKeyedByCustomer(key, order.getCustomerId(), order.getOrderId(), order.getEventId());
        requireValid(order, now);
    }

    /** A record of {@code orders.enriched}: the same contract as {@code orders}. */
    public void requireValidRecord(String key, EnrichedOrder order, Instant now) {
        requireValue(key, order);
        requireKeyedByCustomer(key, order.getCustomerId(), order.getOrderId(), order.getEventId());
        requireValid(order, now);
    }

    private static void requireValue(String key, Object order) {
        if (order == null) {
            throw new InvalidOrderException("The order record with key " + key
                    + " has no value: a tombstone, but order topics carry no deletes");
        }
    }

    /**
     * The partitioning contract of the order topics: keyed by the order's customer id (decimal), so that an order
     * meets its customer's partition, and its re-deliveries meet it.
     *
     * @throws InvalidOrderException if the key is missing or another customer's
     */
    public static void requireKeyedByCustomer(String key, long customerId, long orderId, String eventId) {
        String customerKey = Long.toString(customerId);
        if (!customerKey.equals(key)) {
            throw new InvalidOrderException("Order " + orderId + " (event " + eventId + ") is keyed by " + key
                    + ", not by its customer id " + customerKey);
        }
    }

    /** For sources that are not Avro records yet (a database row): the same checks on plain values. */
    public void requireValid(String eventId, long orderId, long customerId, long productId, int quantity,
            long amountMinor, String currency, Instant eventTime, long version, Instant now) {
        require(new Fields(eventId, orderId, customerId, productId, quantity, amountMinor, currency, eventTime, version), now);
    }

    public static boolean isIsoCurrency(String code) {
        return code != null && ISO_4217.contains(code);
    }

    private void require(Fields order, Instant now) {
        List<String> violations = violations(order, now);
        if (!violations.isEmpty()) {
            String subject = "Order " + order.orderId() + " (event " + (isBlank(order.eventId()) ? "without id" : order.eventId()) + ")";
            throw new InvalidOrderException(subject + " is invalid: " + String.join("; ", violations));
        }
    }

    private List<String> violations(Fields order, Instant now) {
        List<String> violations = new ArrayList<>(2);
        if (isBlank(order.eventId())) {
            violations.add("event_id is missing");
        }
        requirePositiveId("order_id", order.orderId(), violations);
        requirePositiveId("customer_id", order.customerId(), violations);
        requirePositiveId("product_id", order.productId(), violations);
        if (order.quantity() <= 0) {
            violations.add("quantity must be positive, was " + order.quantity());
        }
        if (order.amountMinor() < 0) {
            violations.add("amount_minor must not be negative, was " + order.amountMinor());
        }
        if (!isIsoCurrency(order.currency())) {
            violations.add("currency '" + order.currency() + "' is not an ISO 4217 code");
        }
        checkEventTime(order.eventTime(), now, violations);
        if (order.version() < 0) {
            violations.add("version must not be negative, was " + order.version());
        }
        return violations;
    }

    private void checkEventTime(Instant eventTime, Instant now, List<String> violations) {
        if (eventTime == null) {
            violations.add("event_time is missing");
        } else if (eventTime.isAfter(now.plus(maxEventTimeAhead))) {
            violations.add("event_time " + eventTime + " is more than " + maxEventTimeAhead + " in the future (now " + now + ")");
        } else if (eventTime.isBefore(earliestEventTime)) {
            violations.add("event_time " + eventTime + " is before the earliest accepted " + earliestEventTime);
        }
    }

    private static void requirePositiveId(String name, long id, List<String> violations) {
        if (id <= 0) {
            violations.add(name + " must be a positive id, was " + id);
        }
    }

    private static boolean isBlank(String text) {
        return text == null || text.isBlank();
    }

    private record Fields(String eventId, long orderId, long customerId, long productId, int quantity, long amountMinor,
            String currency, Instant eventTime, long version) {
    }
}
