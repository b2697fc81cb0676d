package dev.streamfold.common.aggregate;

import dev.streamfold.schemas.EnrichedOrder;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What orders are grouped by, the same in every service: aggregation computes each dimension, the query service serves
 * it, reconciliation checks {@link #TOTAL} against SQL. An order's value is taken from the enriched order, that is as
 * its customer and product were at the order's event time.
 */
public enum Dimension {

    /** The product's category. */
    CATEGORY("category", EnrichedOrder::getProductCategory),
    /** The customer's country (ISO 3166 code as the shop stores it). */
    COUNTRY("country", EnrichedOrder::getCustomerCountry),
    /** The customer id, in decimal: orders are keyed by it, so this dimension never leaves its input partition. */
    CUSTOMER("customer", order -> Long.toString(order.getCustomerId())),
    /** No grouping: one figure per window, {@link #TOTAL_VALUE}. The figure reconciliation proves exactly. */
    TOTAL("total", order -> Dimension.TOTAL_VALUE);

    /** The only value of {@link #TOTAL}. */
    public static final String TOTAL_VALUE = "all";

    private final String id;
    private final Function<EnrichedOrder, String> value;
    Dimension(String id, Function<EnrichedOrder, String> value) {
        this.id = id;
        this.value = value;
    }

    /** As in topic names, URLs and configuration: {@code category}, {@code country}, {@code customer}, {@code total}. */
    public String id() {
        return id;
    }

    /** The order's value in this dimension. */
    public String valueOf(EnrichedOrder order) {
        return value.apply(order);
    }

    /** @throws IllegalArgumentException naming the known dimensions if {@code id} is none of them */
    public static Dimension fromId(String id) {
        for (Dimension dimension : values()) {
            if (dimension.id.equals(id.toLowerCase(Locale.ROOT))) {
                return dimension;
            }
        }
        throw new IllegalArgumentException("Unknown dimension '" + id + "'; known: "
                + Arrays.stream(values()).map(Dimension::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return id;
    }
}
