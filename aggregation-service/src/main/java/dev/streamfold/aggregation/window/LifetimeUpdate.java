package dev.streamfold.aggregation.window;

import dev.streamfold.schemas.CustomerLifetime;
import java.util.Objects;

/** A customer's lifetime totals after an order change was applied. */
record LifetimeUpdate(CustomerLifetime lifetime) implements WindowingOutput {

    LifetimeUpdate {
        Objects.requireNonNull(lifetime, "lifetime");
    }
}
