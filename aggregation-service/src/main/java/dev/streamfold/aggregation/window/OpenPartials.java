package dev.streamfold.aggregation.window;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One input partition's partials of the windows still open for it, in memory: what changed since they were last sent
 * ({@link #dirty}), which lost an order and must be rebuilt from the contributions store before they are sent, and
 * when each window closes, so that closed ones are sent one last time and forgotten.
 */
final class OpenPartials {

    private final WindowSettings windows;
    private final Map<AggregateKey, Partial> partials = new HashMap<>();
    private final Set<AggregateKey> dirty = new LinkedHashSet<>();
    private final Set<AggregateKey> stale = new HashSet<>();
    private final TreeMap<Long, List<AggregateKey>> byClosingTime = new TreeMap<>();

    OpenPartials(WindowSettings windows) {
        this.windows = windows;
    }

    /** The partial of a window, created empty if the window has none yet; marked changed. */
    Partial changing(AggregateKey key) {
        dirty.add(key);
        return partials.computeIfAbsent(key, this::open);
    }

    /** The window's minimum, maximum and sketches no longer hold: rebuild it before sending it. */
    void markStale(AggregateKey key) {
        changing(key);
        stale.add(key);
    }

    boolean isStale(AggregateKey key) {
        return stale.contains(key);
    }

    void replace(AggregateKey key, Partial rebuilt) {
        partials.put(key, rebuilt);
        stale.remove(key);
    }

    Partial get(AggregateKey key) {
        return partials.get(key);
    }

    /** The changed partials, in the order they first changed; no longer marked changed afterwards. */
    List<AggregateKey> takeDirty() {
        List<AggregateKey> changed = new ArrayList<>(dirty);
        dirty.clear();
        return changed;
    }

    /** Those of the given partials that changed, no longer marked changed afterwards. */
    List<AggregateKey> takeDirty(List<AggregateKey> keys) {
        List<AggregateKey> changed = new ArrayList<>(keys.size());
        for (AggregateKey key : keys) {
            if (dirty.remove(key)) {
                changed.add(key);
            }
        }
        return changed;
    }

    /** The changed partials of windows closed at {@code streamTime}: to be sent before stream time moves past them. */
    List<AggregateKey> dirtyClosedAt(long streamTime) {
        List<AggregateKey> closed = new ArrayList<>();
        for (List<AggregateKey> keys : byClosingTime.headMap(streamTime, true).values()) {
            for (AggregateKey key : keys) {
                if (dirty.remove(key)) {
                    closed.add(key);
                }
            }
        }
        return closed;
    }

    /** The windows that close after {@code previous} and by {@code streamTime}: closed by this move of stream time. */
    List<AggregateKey> closingAfter(long previous, long streamTime) {
        List<AggregateKey> closing = new ArrayList<>();
        if (streamTime > previous) {
            byClosingTime.subMap(previous, false, streamTime, true).values().forEach(closing::addAll);
        }
        return closing;
    }

    /** Forgets the windows closed at {@code streamTime} that have nothing left to send. */
    void forgetClosed(long streamTime) {
        var closed = byClosingTime.headMap(streamTime, true);
        for (List<AggregateKey> keys : closed.values()) {
            for (AggregateKey key : keys) {
                if (!dirty.contains(key)) {
                    partials.remove(key);
                    stale.remove(key);
                }
            }
        }
        closed.entrySet().removeIf(entry -> entry.getValue().stream().noneMatch(dirty::contains));
    }

    int size() {
        return partials.size();
    }

    private Partial open(AggregateKey key) {
        byClosingTime.computeIfAbsent(windows.closesAt(key.kind(), key.windowStart()), t -> new ArrayList<>()).add(key);
        return Partial.of(key);
    }
}
