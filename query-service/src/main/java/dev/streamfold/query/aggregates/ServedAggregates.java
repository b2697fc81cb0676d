package dev.streamfold.query.aggregates;

import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.aggregate.Emission;
import dev.streamfold.common.aggregate.WindowKind;
import dev.streamfold.common.aggregate.WindowSpec;
import dev.streamfold.common.config.StreamfoldProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What this service materialises and serves, from the shared settings ({@code streamfold.aggregates.*},
 * {@code streamfold.windows.*}): the live tumbling windows of every configured dimension, the live hopping windows of
 * the hopping dimensions, and customers' lifetime totals if aggregation keeps them.
 *
 * @param dimensions        served in tumbling windows
 * @param hoppingDimensions also served in hopping windows; each one of {@code dimensions}
 * @param customerLifetime  whether {@code aggregates.customer.lifetime} is materialised and served
 * @param tumbling          the tumbling windows
 * @param hopping           the hopping windows
 * @param grace             how long after its end a window still changes ({@code streamfold.windows.grace})
 */
record ServedAggregates(List<Dimension> dimensions, List<Dimension> hoppingDimensions, boolean customerLifetime,
        WindowSpec tumbling, WindowSpec hopping, Duration grace) {

    ServedAggregates {
        dimensions = List.copyOf(dimensions);
        hoppingDimensions = List.copyOf(hoppingDimensions);
        Objects.requireNonNull(tumbling, "tumbling");
        Objects.requireNonNull(hopping, "hopping");
        Objects.requireNonNull(grace, "grace");
        if (!dimensions.containsAll(hoppingDimensions)) {
            throw new IllegalArgumentException("hopping dimensions " + hoppingDimensions + " must be among the dimensions "
                    + dimensions);
        }
    }

    static ServedAggregates of(StreamfoldProperties streamfold) {
        StreamfoldProperties.Aggregates aggregates = streamfold.aggregates();
        StreamfoldProperties.Windows windows = streamfold.windows();
        return new ServedAggregates(aggregates.dimensions(), aggregates.hoppingDimensions(),
                aggregates.customerLifetime(), windows.tumbling(), windows.hoppingWindows(), windows.grace());
    }

    /** The live topics materialised: every dimension's tumbling windows, then the hopping ones. */
    List<AggregateStream> streams() {
        List<AggregateStream> streams = new ArrayList<>();
        dimensions.forEach(dimension -> streams.add(AggregateStream.live(dimension)));
        hoppingDimensions.forEach(dimension -> streams.add(liveHopping(dimension)));
        return List.copyOf(streams);
    }

    boolean serves(AggregateStream stream) {
        return stream.emission() == Emission.LIVE && switch (stream.kind()) {
            case TUMBLING -> dimensions.contains(stream.dimension());
            case HOPPING -> hoppingDimensions.contains(stream.dimension());
        };
    }

    WindowSpec windows(WindowKind kind) {
        return switch (kind) {
            case TUMBLING -> tumbling;
            case HOPPING -> hopping;
        };
    }

    /** The longest window of a store: the stores must keep at least one. */
    Duration longestWindow() {
        return hoppingDimensions.isEmpty() || tumbling.size().compareTo(hopping.size()) >= 0 ? tumbling.size()
                : hopping.size();
    }

    static AggregateStream liveHopping(Dimension dimension) {
        return new AggregateStream(dimension, WindowKind.HOPPING, Emission.LIVE);
    }
}
