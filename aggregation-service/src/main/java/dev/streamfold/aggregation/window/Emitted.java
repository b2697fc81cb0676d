package dev.streamfold.aggregation.window;

import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.schemas.WindowAggregate;

/** A window's figures for one of the outputs ({@code aggregates.<dimension>[.hopping][.final]}). */
record Emitted(AggregateStream stream, WindowAggregate aggregate) {
}
