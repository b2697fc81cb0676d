package dev.streamfold.enrichment.join;

import dev.streamfold.enrichment.pii.EmailMasker;
import dev.streamfold.schemas.Customer;
import dev.streamfold.schemas.EnrichedOrder;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.Product;
import java.util.ArrayList;
import java.util.List;

/** An order with whatever the lookups found for it; {@code customer} and {@code product} may be missing. */
record OrderReferences(Order order, Customer customer, Product product) {

    boolean isComplete() {
        return customer != null && product != null;
    }

    /** @throws IllegalStateException if the customer or the product is unknown */
    EnrichedOrder toEnrichedOrder() {
        if (!isComplete()) {
            throw new IllegalStateException(missing().getMessage());
        }
        return EnrichedOrder.newBuilder()
                .setEventId(order.getEventId())
                .setOrderId(order.getOrderId())
                .setCustomerId(order.getCustomerId())
                .setProductId(order.getProductId())
                .setQuantity(order.getQuantity())
                .setAmountMinor(order.getAmountMinor())
                .setCurrency(order.getCurrency())
                .setStatus(order.getStatus())
                .setEventTime(order.getEventTime())
                .setSource(order.getSource())
                .setCustomerCountry(customer.getCountry())
                .setCustomerTier(customer.getTier())
                .setCustomerEmailMasked(EmailMasker.mask(customer.getEmail()))
                .setProductName(product.getName())
                .setProductCategory(product.getCategory())
                .build();
    }

    /** Why this order cannot be enriched: names the customer and/or product that is unknown. */
    MissingReferenceException missing() {
        List<String> unknown = new ArrayList<>(2);
        if (customer == null) {
            unknown.add("customer " + order.getCustomerId());
        }
        if (product == null) {
            unknown.add("product " + order.getProductId());
        }
        return new MissingReferenceException("Order " + order.getOrderId() + " (event " + order.getEventId()
                + ") refers to unknown " + String.join(" and ", unknown));
    }
}
