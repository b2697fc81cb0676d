package dev.streamfold.aggregation.category;

import dev.streamfold.common.order.RevenueRule;
import dev.streamfold.schemas.EnrichedOrder;
import java.util.Objects;

/**
 * What the latest applied change of one order contributes to its window: kept in the {@code order-contributions}
 * store so that the next change of the order can take exactly this back out before adding its own state, and so that
 * a change no newer than it is recognised as stale or re-delivered.
 *
 * <p>The window is not kept: an order's event time (its placement) is the same in every change event, and it is the
 * store's timestamp, so the window follows from where the contribution is stored.
 *
 * @param version     the order's version that produced this state
 * @param category    the category it was enriched with (a product may have moved category between versions)
 * @param currency    ISO 4217 code of {@code amountMinor}
 * @param amountMinor what it adds to the revenue of its currency while it counts
 * @param counts      whether it counts at all ({@link RevenueRule#counts}); a cancelled or deleted order is kept
 *                    anyway, so that older versions arriving after it stay ignored
 */
record OrderContribution(long version, String category, String currency, long amountMinor, boolean counts) {

    OrderContribution {
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(currency, "currency");
    }

    static OrderContribution of(EnrichedOrder order) {
        return new OrderContribution(order.getVersion(), order.getProductCategory(), order.getCurrency(),
                order.getAmountMinor(), RevenueRule.counts(order.getOperation(), order.getStatus()));
    }

    /**
     * The store key: database and direct orders number their ids independently, so the source is part of the
     * identity; the same id from both is two orders.
     */
    static String identityOf(EnrichedOrder order) {
        return order.getSource() + ":" + order.getOrderId();
    }
}
