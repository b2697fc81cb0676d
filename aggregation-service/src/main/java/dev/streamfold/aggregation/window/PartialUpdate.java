package dev.streamfold.aggregation.window;

import java.util.Objects;

/** The whole partial of one window and value as one input partition has it now; replaces the one it sent before. */
record PartialUpdate(AggregateKey key, int sourcePartition, Partial partial) implements MergeInput {

    PartialUpdate {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(partial, "partial");
    }
}
