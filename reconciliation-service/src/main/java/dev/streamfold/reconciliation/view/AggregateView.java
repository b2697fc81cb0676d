package dev.streamfold.reconciliation.view;

import dev.streamfold.reconciliation.window.CategoryWindow;
import dev.streamfold.reconciliation.window.SettledRange;
import dev.streamfold.reconciliation.window.Totals;
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * The latest aggregate per category window, as read from the compacted aggregate topic. Held in memory only:
 * it is rebuilt from the beginning of the topic on every start.
 */
@Component
public class AggregateView {

    private final Map<WindowKey, WindowAggregate> latest = new ConcurrentHashMap<>();

    /** A {@code null} aggregate is a tombstone: the window is gone. */
    void apply(WindowKey key, WindowAggregate aggregate) {
        if (aggregate == null) {
            latest.remove(key);
        } else {
            latest.put(key, aggregate);
        }
    }

    /** The aggregates of the windows in {@code range}. */
    public Map<CategoryWindow, Totals> settledIn(SettledRange range) {
        return latest.values().stream()
                .map(aggregate -> Map.entry(windowOf(aggregate), totalsOf(aggregate)))
                .filter(entry -> range.contains(entry.getKey()))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** Windows starting before {@code start} will not be checked again; keeps the view small. */
    public void forgetBefore(Instant start) {
        latest.values().removeIf(aggregate -> aggregate.getWindowStart().isBefore(start));
    }

    private static CategoryWindow windowOf(WindowAggregate aggregate) {
        return new CategoryWindow(aggregate.getDimensionValue(), aggregate.getWindowStart(), aggregate.getWindowEnd());
    }

    private static Totals totalsOf(WindowAggregate aggregate) {
        return new Totals(aggregate.getOrderCount(), aggregate.getRevenueMinor());
    }
}
