package dev.streamfold.enrichment.join;

import dev.streamfold.schemas.Order;

/** The contract every publisher of {@code orders} signs: a value, keyed by the order's customer id. */
final class OrderValidation {

    private OrderValidation() {
    }

    static Order requireKeyedByCustomer(String key, Order order) {
        if (order == null) {
            throw new InvalidOrderException("Order event with key " + key + " has no value");
        }
        String customerKey = Long.toString(order.getCustomerId());
        if (!customerKey.equals(key)) {
            throw new InvalidOrderException("Order " + order.getOrderId() + " (event " + order.getEventId()
                    + ") is keyed by " + key + ", not by its customer id " + customerKey);
        }
        return order;
    }
}
