package dev.streamfold.aggregation.window;

import dev.streamfold.schemas.EnrichedOrder;
import java.util.Objects;

/** An order whose window had closed for its input partition; the record's headers say which window and why. */
record LateOrder(EnrichedOrder order) implements WindowingOutput {

    LateOrder {
        Objects.requireNonNull(order, "order");
    }
}
