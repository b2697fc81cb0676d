package dev.streamfold.enrichment.join;

import dev.streamfold.enrichment.pii.EmailMasker;
import dev.streamfold.schemas.Customer;
import dev.streamfold.schemas.EnrichedOrder;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.Product;
import java.util.ArrayList;
import java.util.List;

/** An order with whatever the left joins found for it; {@code customer} and {@code product} may be missing. */
record OrderReferences(Order order, Customer customer, Product product) {

    static OrderReferences withCustomer(Order order, Customer customer) {
        return new OrderReferences(order, customer, null);
    }

    OrderReferences withProduct(Product found) {
        return new OrderReferences(order, customer, found);
    }

    String productKey() {
        return Long.toString(order.getProductId());
    }

    /** @throws MissingReferenceException if the customer or the product is unknown */
    EnrichedOrder toEnrichedOrder() {
        requireComplete();
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

    private void requireComplete() {
        List<String> missing = new ArrayList<>(2);
        if (customer == null) {
            missing.add("customer " + order.getCustomerId());
        }
        if (product == null) {
            missing.add("product " + order.getProductId());
        }
        if (!missing.isEmpty()) {
            throw new MissingReferenceException("Order " + order.getOrderId() + " (event " + order.getEventId()
                    + ") refers to unknown " + String.join(" and ", missing));
        }
    }
}
