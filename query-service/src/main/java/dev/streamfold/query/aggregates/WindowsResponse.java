package dev.streamfold.query.aggregates;

import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.schemas.DistinctEstimate;
import dev.streamfold.schemas.ValueQuantiles;
import dev.streamfold.schemas.WindowAggregate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON body of a window query; money stays in integer minor units per currency.
 *
 * @param windowKind {@code tumbling} or {@code hopping}
 * @param asOf       the query instance's clock when it judged the windows' {@link WindowState states}
 */
record WindowsResponse(String dimension, String value, String windowKind, Instant from, Instant to, Instant asOf,
        List<Window> windows) {

    record Window(Instant windowStart, Instant windowEnd, WindowState state, long orderCount,
            Map<String, Long> revenueMinor, long quantity, Map<String, Long> minOrderMinor,
            Map<String, Long> maxOrderMinor, Distinct distinctCustomers, Map<String, Quantiles> orderValueQuantiles) {

        static Window of(WindowAggregate aggregate, Duration grace, Instant now) {
            return new Window(aggregate.getWindowStart(), aggregate.getWindowEnd(),
                    WindowState.of(aggregate.getWindowEnd(), grace, now), aggregate.getOrderCount(),
                    new TreeMap<>(aggregate.getRevenueMinor()), aggregate.getQuantity(),
                    new TreeMap<>(aggregate.getMinOrderMinor()), new TreeMap<>(aggregate.getMaxOrderMinor()),
                    Distinct.of(aggregate.getDistinctCustomers()), quantiles(aggregate.getOrderValueQuantiles()));
        }

        private static Map<String, Quantiles> quantiles(Map<String, ValueQuantiles> byCurrency) {
            Map<String, Quantiles> quantiles = new TreeMap<>();
            byCurrency.forEach((currency, sketch) -> quantiles.put(currency, Quantiles.of(sketch)));
            return quantiles;
        }
    }

    /** HyperLogLog estimate of the distinct customers, with bounds of about 95 % confidence. */
    record Distinct(long estimate, long lowerBound, long upperBound) {

        static Distinct of(DistinctEstimate estimate) {
            return estimate == null ? null
                    : new Distinct(estimate.getEstimate(), estimate.getLowerBound(), estimate.getUpperBound());
        }
    }

    /** KLL quantiles of the orders' values in one currency, each within {@code rankError} of its rank. */
    record Quantiles(long p50, long p95, long p99, double rankError, long orderCount) {

        static Quantiles of(ValueQuantiles quantiles) {
            return new Quantiles(quantiles.getP50(), quantiles.getP95(), quantiles.getP99(), quantiles.getRankError(),
                    quantiles.getOrderCount());
        }
    }

    static WindowsResponse of(AggregateStream stream, String value, TimeRange range, Duration grace, Instant now,
            List<WindowAggregate> aggregates) {
        return new WindowsResponse(stream.dimension().id(), value, stream.kind().name().toLowerCase(Locale.ROOT),
                range.from(), range.to(), now, aggregates.stream().map(window -> Window.of(window, grace, now)).toList());
    }
}
