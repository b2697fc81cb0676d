package dev.streamfold.reconciliation.view;

import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.reconciliation.window.SettledRange;
import dev.streamfold.reconciliation.window.TotalWindow;
import dev.streamfold.reconciliation.window.Totals;
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * The latest aggregate of every window of the dimension {@code total}, as read from its compacted live topic. Held in
 * memory only: it is rebuilt from the beginning of the topic on every start.
 */
@Component
public class AggregateView {

    /**
     * What the view reads: the live windows of {@code total}, the latest value per window. By the time a window is
     * settled ({@code reconciliation.settle-delay} past its end, more than the grace) its latest live value is its final
     * one, so the {@code .final} topic would add nothing but a dependence on every input partition having moved on.
     */
    public static final AggregateStream SOURCE = AggregateStream.live(Dimension.TOTAL);

    /** By window start: the topic's key is {@code (Dimension.TOTAL_VALUE, window start)}. */
    private final Map<Instant, Aggregated> latest = new ConcurrentHashMap<>();

    /**
     * A {@code null} aggregate is a tombstone: the window is gone.
     *
     * @throws IllegalArgumentException if the record is not a window of the dimension {@code total}: it cannot be
     *         applied (and goes to the dead-letter topic), since counting it would mix another figure into the total
     */
    void apply(WindowKey key, WindowAggregate aggregate) {
        if (key == null) {
            throw new IllegalArgumentException("An aggregate of the dimension " + Dimension.TOTAL + " has no key");
        }
        requireTotalValue(key.getDimensionValue(), "key");
        if (aggregate == null) {
            latest.remove(key.getWindowStart());
            return;
        }
        if (!Dimension.TOTAL.id().equals(aggregate.getDimension())) {
            throw new IllegalArgumentException("Aggregate of window " + key.getWindowStart() + " is of the dimension '"
                    + aggregate.getDimension() + "', not '" + Dimension.TOTAL + "'");
        }
        requireTotalValue(aggregate.getDimensionValue(), "value");
        if (!aggregate.getWindowStart().equals(key.getWindowStart())) {
            throw new IllegalArgumentException("Aggregate of window " + aggregate.getWindowStart()
                    + " is keyed by another window start, " + key.getWindowStart());
        }
        latest.put(key.getWindowStart(), new Aggregated(
                new TotalWindow(aggregate.getWindowStart(), aggregate.getWindowEnd()), totalsOf(aggregate)));
    }

    /** The aggregates of the windows in {@code range}. */
    public Map<TotalWindow, Totals> settledIn(SettledRange range) {
        return latest.values().stream()
                .filter(aggregated -> range.contains(aggregated.window()))
                .collect(Collectors.toMap(Aggregated::window, Aggregated::totals));
    }

    /** Windows starting before {@code start} will not be checked again; keeps the view small. */
    public void forgetBefore(Instant start) {
        latest.keySet().removeIf(windowStart -> windowStart.isBefore(start));
    }

    private static void requireTotalValue(String value, String part) {
        if (!Dimension.TOTAL_VALUE.equals(value)) {
            throw new IllegalArgumentException("An aggregate of the dimension " + Dimension.TOTAL + " has the dimension value '"
                    + value + "' in its " + part + ", not '" + Dimension.TOTAL_VALUE + "'");
        }
    }

    private static Totals totalsOf(WindowAggregate aggregate) {
        return new Totals(aggregate.getOrderCount(), aggregate.getQuantity(), aggregate.getRevenueMinor());
    }

    private record Aggregated(TotalWindow window, Totals totals) {
    }
}
