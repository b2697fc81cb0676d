package dev.streamfold.enrichment.join;

import dev.streamfold.enrichment.pii.EmailMasker;
import dev.streamfold.schemas.Customer;
import dev.streamfold.schemas.EnrichedOrder;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.Product;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.state.VersionedRecord;

/**
 * An order with the customer and product versions valid at its event time, where there are any; either may be
 * missing (not arrived yet, deleted by then, or only known from a later time on).
 */
record OrderReferences(Order order, VersionedRecord<Customer> customer, VersionedRecord<Product> product) {

    boolean isComplete() {
        return customer != null && product != null;
    }

    /** @throws IllegalStateException if the customer or the product is unknown at the order's event time */
    EnrichedOrder toEnrichedOrder() {
        if (!isComplete()) {
            throw new IllegalStateException(missing().getMessage());
        }
        Customer buyer = customer.value();
        Product item = product.value();
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
                .setOperation(order.getOperation())
                .setVersion(order.getVersion())
                .setChangedAt(order.getChangedAt())
                .setCustomerCountry(buyer.getCountry())
                .setCustomerTier(buyer.getTier())
                .setCustomerEmailMasked(EmailMasker.mask(buyer.getEmail()))
                .setCustomerValidFrom(Instant.ofEpochMilli(customer.timestamp()))
                .setProductName(item.getName())
                .setProductCategory(item.getCategory())
                .setProductValidFrom(Instant.ofEpochMilli(product.timestamp()))
                .build();
    }

    /** Why this order cannot be enriched: names the customer and/or product with no version at its event time. */
    MissingReferenceException missing() {
        List<String> unknown = new ArrayList<>(2);
        if (customer == null) {
            unknown.add("customer " + order.getCustomerId());
        }
        if (product == null) {
            unknown.add("product " + order.getProductId());
        }
        return new MissingReferenceException("Order " + order.getOrderId() + " (event " + order.getEventId()
                + ") refers to " + String.join(" and ", unknown) + ", unknown at its event time " + order.getEventTime());
    }
}
