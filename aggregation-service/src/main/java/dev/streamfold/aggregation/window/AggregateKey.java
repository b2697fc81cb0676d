package dev.streamfold.aggregation.window;

import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.aggregate.WindowKind;
import java.util.Objects;

/** One dimension value in one window of one kind: what a partial and a merged window are kept and sent under. */
record AggregateKey(Dimension dimension, WindowKind kind, String value, long windowStart) {

    AggregateKey {
        Objects.requireNonNull(dimension, "dimension");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
    }

    /**
     * Whether one input partition holds every order of this window's value: orders (and enriched orders) are keyed by
     * customer id, so a customer's windows are complete on the customer's partition, and its figures are published
     * there; nothing of them crosses the repartition.
     */
    boolean completeOnOnePartition() {
        return completeOnOnePartition(dimension);
    }

    static boolean completeOnOnePartition(Dimension dimension) {
        return dimension == Dimension.CUSTOMER;
    }

    /** The repartition's key: equal for the partials of every input partition, spread over windows and values. */
    String routingKey() {
        return dimension.id() + '|' + kind.name() + '|' + value + '|' + windowStart;
    }
}
