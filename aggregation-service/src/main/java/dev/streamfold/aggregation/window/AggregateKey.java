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

    /** The repartition's key: equal for the partials of every input partition, spread over windows and values. */
    String routingKey() {
        return dimension.id() + '|' + kind.name() + '|' + value + '|' + windowStart;
    }
}
