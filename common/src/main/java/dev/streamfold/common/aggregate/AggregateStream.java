package dev.streamfold.common.aggregate;

import java.util.Objects;

/**
 * One output of aggregation: a dimension, a kind of window and an emission. Its topic is
 * {@code aggregates.<dimension>[.hopping][.final]}, keyed by (dimension value, window start).
 */
public record AggregateStream(Dimension dimension, WindowKind kind, Emission emission) {

    public AggregateStream {
        Objects.requireNonNull(dimension, "dimension");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(emission, "emission");
    }

    /** The live tumbling windows of a dimension: what the query service serves. */
    public static AggregateStream live(Dimension dimension) {
        return new AggregateStream(dimension, WindowKind.TUMBLING, Emission.LIVE);
    }

    /** The final results of a dimension's tumbling windows: what reconciliation checks. */
    public static AggregateStream finalResults(Dimension dimension) {
        return new AggregateStream(dimension, WindowKind.TUMBLING, Emission.FINAL);
    }

    /** Topic name without the environment prefix. */
    public String topicName() {
        return "aggregates." + dimension.id() + kind.topicSuffix() + emission.topicSuffix();
    }
}
