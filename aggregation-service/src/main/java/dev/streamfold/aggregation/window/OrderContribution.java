package dev.streamfold.aggregation.window;

import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.order.RevenueRule;
import dev.streamfold.schemas.EnrichedOrder;
import java.util.Objects;

/**
 * What the latest applied change of one order contributes to its windows: kept in the {@code order-contributions}
 * store so that the next change of the order can take exactly this back out before adding its own state, so that a
 * change no newer than it is recognised as stale or re-delivered, and so that a task can rebuild the partials of its
 * open windows from it (after a restart, or after a change took an order back out of a sketch).
 *
 * <p>The window is not kept: an order's event time (its placement) is the same in every change event, and it is the
 * store's timestamp, so the windows follow from where the contribution is stored.
 *
 * @param version     the order's version that produced this state
 * @param customerId  the customer (the same in every change: orders are keyed by it)
 * @param category    the category it was enriched with (a product may have moved category between versions)
 * @param country     the customer's country it was enriched with
 * @param currency    ISO 4217 code of {@code amountMinor}
 * @param amountMinor what it adds to the revenue of its currency while it counts
 * @param quantity    what it adds to the quantity while it counts
 * @param counts      whether it counts at all ({@link RevenueRule#counts}); a cancelled or deleted order is kept
 *                    anyway, so that older versions arriving after it stay ignored
 */
record OrderContribution(long version, long customerId, String category, String country, String currency,
        long amountMinor, long quantity, boolean counts) {

    OrderContribution {
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(country, "country");
        Objects.requireNonNull(currency, "currency");
    }

    static OrderContribution of(EnrichedOrder order) {
        return new OrderContribution(order.getVersion(), order.getCustomerId(), order.getProductCategory(),
                order.getCustomerCountry(), order.getCurrency(), order.getAmountMinor(), order.getQuantity(),
                RevenueRule.counts(order.getOperation(), order.getStatus()));
    }

    /** This contribution's value in a dimension, as {@link Dimension#valueOf} gives it for the order. */
    String valueIn(Dimension dimension) {
        return switch (dimension) {
            case CATEGORY -> category;
            case COUNTRY -> country;
            case CUSTOMER -> Long.toString(customerId);
            case TOTAL -> Dimension.TOTAL_VALUE;
        };
    }

    /**
     * The store key: database and direct orders number their ids independently, so the source is part of the
     * identity; the same id from both is two orders.
     */
    static String identityOf(EnrichedOrder order) {
        return order.getSource() + ":" + order.getOrderId();
    }
}
