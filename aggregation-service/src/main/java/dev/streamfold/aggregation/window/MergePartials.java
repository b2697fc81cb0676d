package dev.streamfold.aggregation.window;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.aggregate.Emission;
import dev.streamfold.common.aggregate.WindowKind;
import dev.streamfold.common.aggregate.WindowSpec;
import dev.streamfold.schemas.WindowKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After the repartition: keeps the latest partial of each window from each input partition, and publishes the
 * window's figures (all partitions' partials combined) on its live topic whenever one changes. There is no lateness
 * here: every partial was built on an input partition from orders it accepted, however far apart in time the
 * partitions are (after an outage, or while a snapshot of years of orders is read, one may be months of event time
 * ahead of another).
 *
 * <p>Windows close by a watermark: the lowest progress among all input partitions, each sent to every partition of the
 * repartition topic after the partials it covers. When the watermark passes a window's end + grace, no partial of it
 * can come any more from anywhere, and its final result is published, once, on its {@code .final} topic. Until every
 * input partition has reported, nothing closes. With {@code aggregation.idle-partition-timeout} set, a partition that
 * reported itself idle is left out of the minimum until it reports again (if all are idle, the highest progress
 * counts); its later partials amend the finals they change. A partial for a window already closed can still come in one case: an
 * order that enrichment re-routed between partitions is judged by its own source's progress, which may be behind;
 * it is applied, and the window's final result is published again with the header {@value Emitted#AMENDED_HEADER}.
 *
 * <p>Hopping windows that are runs of whole tumbling windows ({@link WindowSettings#hoppingFromPanes()}) are not sent
 * by the input partitions: each is combined here from its tumbling windows, its panes. An order then changes one
 * partial per dimension instead of one per window containing it ({@code size / advance}: five with the defaults), and
 * only tumbling partials cross the repartition (the technique of Li et al., "No pane, no gain", 2005). The customer's
 * hopping windows stay on their partition. A hopping window's live figures are published once per publish interval in
 * which one of its panes changed, not at every change: each pane changes up to once per input partition and flush, and
 * combining the five at each of those changes was 15 % of the stream thread (JFR, windowing without the customer
 * dimension). They carry the headers of the newest pane partial that changed them. A window that closes is published
 * live (if changed) and final at once; a closed one that changes (an amendment) at once too. Which open windows
 * changed is kept in memory only: a task (re)started publishes all its open hopping windows once, so that a crash
 * between a pane's commit and the next publication loses no figure.
 *
 * <p>Windows older than the watermark by the retention are deleted (wall-clock punctuation). A partial for a deleted
 * window would mean a bug, and is thrown on (dead-lettered), never published as a wrong figure.
 */
final class MergePartials implements Processor<String, MergeInput, WindowKey, Emitted> {

    static final Duration PURGE_INTERVAL = Duration.ofMinutes(1);
    /**
     * More than the windows open at once on every dimension but the customer (whose windows are never merged here):
     * about 200 with the defaults. Closed windows leave at once: kept, 4,096 windows with their sketches were most of the
     * heap (a 120-minute benchmark's every window, 120-160 MB live after GC in a 256 MB heap, with full GCs).
     */
    static final int RECENT_WINDOWS = 1_024;
    /** The progress store's entry for the watermark up to which windows were closed. */
    static final int CLOSED_THROUGH = -1;

    private static final Logger log = LoggerFactory.getLogger(MergePartials.class);

    private final WindowSettings windows;
    private final RecordAccounting accounting;
    private final String fallbackStage;
    private final String windowsStore;
    private final String progressStore;
    private final int inputPartitions;
    /** The dimensions whose hopping windows are combined here from their tumbling windows (panes). */
    private final Set<Dimension> hoppingFromPanes;
    /** How often changed hopping windows combined from panes are published. */
    private final Duration publishInterval;

    private ProcessorContext<WindowKey, Emitted> context;
    private KeyValueStore<AggregateKey, MergedWindow> merged;
    private KeyValueStore<Integer, Long> progress;
    /**
     * The windows merged last, as objects, written through to the store: decoding a window's partials (sketches and
     * all) from the store at each partial that came was a third of this stage's time (JFR, {@code PipelineBenchmark}).
     */
    private final Map<AggregateKey, MergedWindow> recent = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<AggregateKey, MergedWindow> eldest) {
            return size() > RECENT_WINDOWS;
        }
    };
    /**
     * The open hopping windows (of {@link #hoppingFromPanes}) whose panes changed since they were last published, each
     * with the headers of the newest pane partial that changed it.
     */
    private final Map<AggregateKey, Header[]> hoppingChanged = new LinkedHashMap<>();
    /** Windows starting before this were deleted by the last purge (derived again by the first purge after a restart). */
    private long forgottenBefore = Long.MIN_VALUE;

    MergePartials(WindowSettings windows, RecordAccounting accounting, String stage, String windowsStore,
            String progressStore, int inputPartitions, Collection<Dimension> hoppingFromPanes, Duration publishInterval) {
        this.windows = windows;
        this.accounting = accounting;
        this.fallbackStage = stage;
        this.windowsStore = windowsStore;
        this.progressStore = progressStore;
        this.inputPartitions = inputPartitions;
        this.hoppingFromPanes = Set.copyOf(hoppingFromPanes);
        this.publishInterval = publishInterval;
    }

    @Override
    public void init(ProcessorContext<WindowKey, Emitted> context) {
        this.context = context;
        this.merged = context.getStateStore(windowsStore);
        this.progress = context.getStateStore(progressStore);
        // A task revived after an aborted transaction is initialised again, its stores restored to the last commit.
        recent.clear();
        hoppingChanged.clear();
        markOpenHoppingWindowsChanged();
        context.schedule(PURGE_INTERVAL, PunctuationType.WALL_CLOCK_TIME, ignored -> forgetOldWindows());
        if (!hoppingFromPanes.isEmpty()) {
            context.schedule(publishInterval, PunctuationType.WALL_CLOCK_TIME, this::publishChangedHoppingWindows);
        }
    }

    @Override
    public void process(Record<String, MergeInput> record) {
        // Named like the dead-letter handlers name it: after the repartition topic the record was read from.
        String stage = context.recordMetadata().map(RecordMetadata::topic).orElse(fallbackStage);
        accounting.received(stage);
        switch (record.value()) {
            case PartialUpdate update -> merge(update, record);
            case Progress reported -> advance(reported);
            case null -> throw new IllegalArgumentException("A record without a value (key " + record.key() + ")");
        }
        accounting.forwarded(stage);
    }

    private void merge(PartialUpdate update, Record<String, MergeInput> record) {
        AggregateKey key = update.key();
        if (key.kind() == WindowKind.HOPPING && hoppingFromPanes.contains(key.dimension())) {
            // Sent by a version before hopping windows were combined here; its orders are in the tumbling partials too.
            log.debug("Ignoring the hopping partial of input partition {} for {}: derived from its panes",
                    update.sourcePartition(), key);
            return;
        }
        if (key.windowStart() < forgottenBefore) {
            throw new IllegalStateException("Cannot apply the partial of input partition " + update.sourcePartition()
                    + " to " + key + ": windows before " + Instant.ofEpochMilli(forgottenBefore) + " are forgotten already");
        }
        MergedWindow window = window(key);
        window = (window == null ? new MergedWindow() : window).with(update.sourcePartition(), update.partial());
        long closedThrough = closedThrough();
        List<AggregateKey> hopping = hoppingWindowsOf(key);
        List<AggregateKey> closedHopping = hopping.stream().filter(h -> isClosed(h, closedThrough)).toList();
        Partial total;
        List<KeyValue<AggregateKey, Partial>> combinedNow;
        try {
            total = window.total();
            // Combined now, where an overflow can still be thrown back to this partial: amendments of closed windows,
            // and every window of a pane too large for any sum of its hopping windows to be sure to fit.
            combinedNow = hopping.isEmpty() ? List.of()
                    : combine(total.fitsSumOf(panesPerHoppingWindow()) ? closedHopping : hopping, key, window);
        } catch (ArithmeticException e) {
            recent.remove(key);
            throw new ArithmeticException("The partial of input partition " + update.sourcePartition() + " overflows "
                    + key + " when combined with the other partitions' (or with the other windows of a hopping window)");
        }
        merged.put(key, window);
        recent.put(key, window);
        long now = context.currentSystemTimeMs();
        // The partial's latency headers go on with the figures, for the query service to measure.
        publish(key, total, now, record.headers(), closedThrough);
        if (hopping.isEmpty()) {
            return;
        }
        Header[] headers = record.headers().toArray();
        for (KeyValue<AggregateKey, Partial> derived : combinedNow) {
            if (closedHopping.contains(derived.key)) {
                // A copy each: a record's headers may be changed downstream (dead-letter headers), never a sibling's.
                publish(derived.key, derived.value, now, new RecordHeaders(headers), closedThrough);
            }
        }
        hopping.stream().filter(h -> !closedHopping.contains(h)).forEach(h -> hoppingChanged.put(h, headers));
    }

    private boolean isClosed(AggregateKey key, long closedThrough) {
        return windows.closesAt(key.kind(), key.windowStart()) <= closedThrough;
    }

    private int panesPerHoppingWindow() {
        return Math.toIntExact(windows.hopping().size().toMillis() / windows.tumbling().size().toMillis());
    }

    /** Each hopping window with its figures: its panes combined, {@code changed} as the one at {@code pane}. */
    private List<KeyValue<AggregateKey, Partial>> combine(List<AggregateKey> hopping, AggregateKey pane, MergedWindow changed) {
        List<KeyValue<AggregateKey, Partial>> combined = new ArrayList<>(hopping.size());
        for (AggregateKey key : hopping) {
            combined.add(KeyValue.pair(key, combinePanes(key, pane, changed)));
        }
        return combined;
    }

    /**
     * Publishes the live figures of the open hopping windows whose panes changed since the last time. A sum that
     * overflows here has no partial left to blame (each pane's figures fit a fifth of a long, see {@link #merge}, so
     * this takes a minute of over 10^18 in one currency): the window is left unpublished, loudly.
     */
    private void publishChangedHoppingWindows(long now) {
        for (Map.Entry<AggregateKey, Header[]> changed : hoppingChanged.entrySet()) {
            try {
                emit(changed.getKey(), combinePanes(changed.getKey(), null, null), Emission.LIVE, now,
                        new RecordHeaders(changed.getValue()));
            } catch (ArithmeticException e) {
                log.error("Cannot publish {}: its panes' figures overflow a long when combined", changed.getKey(), e);
            }
        }
        hoppingChanged.clear();
    }

    /**
     * After a (re)start, every open hopping window counts as changed: which had changed since their last publication
     * was in the memory of the instance before.
     */
    private void markOpenHoppingWindowsChanged() {
        if (hoppingFromPanes.isEmpty()) {
            return;
        }
        long closedThrough = closedThrough();
        long openFrom = closedThrough == Long.MIN_VALUE ? Long.MIN_VALUE
                : closedThrough - windows.hopping().size().toMillis() - windows.grace().toMillis();
        Header[] none = new Header[0];
        try (KeyValueIterator<AggregateKey, MergedWindow> panes = merged.range(AggregateKeySerde.lowest(openFrom), null)) {
            while (panes.hasNext()) {
                for (AggregateKey hopping : hoppingWindowsOf(panes.next().key)) {
                    if (!isClosed(hopping, closedThrough)) {
                        hoppingChanged.put(hopping, none);
                    }
                }
            }
        }
    }

    /** Live figures; and the final result again if the window was closed already (see the class comment). */
    private void publish(AggregateKey key, Partial total, long now, Headers headers, long closedThrough) {
        emit(key, total, Emission.LIVE, now, headers);
        if (isClosed(key, closedThrough)) {
            log.info("{} changed after its final result was published (an order judged by a slower source); publishing"
                    + " it again", key);
            emit(key, total, Emission.FINAL, now, Emitted.amendedFinal());
        }
    }

    private MergedWindow window(AggregateKey key) {
        MergedWindow window = recent.get(key);
        return window == null ? merged.get(key) : window;
    }

    /**
     * The hopping windows a tumbling window is a pane of, if its dimension's hopping windows are combined here. A
     * hopping window that starts before the windows forgotten is left out: closed long ago, it can no longer be
     * combined whole.
     */
    private List<AggregateKey> hoppingWindowsOf(AggregateKey pane) {
        if (pane.kind() != WindowKind.TUMBLING || !hoppingFromPanes.contains(pane.dimension())) {
            return List.of();
        }
        WindowSpec hopping = windows.hopping();
        List<AggregateKey> derived = new ArrayList<>(panesPerHoppingWindow());
        for (long start = hopping.firstStart(pane.windowStart()); start <= pane.windowStart(); start += hopping.advanceMs()) {
            if (start >= forgottenBefore) {
                derived.add(new AggregateKey(pane.dimension(), WindowKind.HOPPING, pane.value(), start));
            }
        }
        return derived;
    }

    /**
     * A hopping window's figures: those of its tumbling windows, with {@code changed} (if not null) as the one at
     * {@code pane}.
     */
    private Partial combinePanes(AggregateKey hoppingKey, AggregateKey pane, MergedWindow changed) {
        long paneSize = windows.tumbling().size().toMillis();
        List<Partial> panes = new ArrayList<>();
        for (long start = hoppingKey.windowStart(); start < windows.hopping().end(hoppingKey.windowStart()); start += paneSize) {
            MergedWindow window = changed != null && start == pane.windowStart() ? changed
                    : window(new AggregateKey(hoppingKey.dimension(), WindowKind.TUMBLING, hoppingKey.value(), start));
            if (window != null) {
                panes.add(window.total());
            }
        }
        return Partial.combine(panes);
    }

    private void emit(AggregateKey key, Partial total, Emission emission, long now, Headers headers) {
        Emitted emitted = Emitted.of(key, total, emission, windows);
        context.forward(new Record<>(emitted.windowKey(), emitted, now, headers));
    }

    private void advance(Progress reported) {
        int partition = reported.sourcePartition();
        Long known = progress.get(partition);
        boolean moved = known == null || reported.streamTime() > known;
        boolean idlenessChanged = isIdle(partition) != reported.idle();
        if (!moved && !idlenessChanged) {
            return;
        }
        if (moved) {
            progress.put(partition, reported.streamTime());
        }
        if (idlenessChanged) {
            if (reported.idle()) {
                progress.put(idleFlag(partition), 1L);
            } else {
                progress.delete(idleFlag(partition));
            }
        }
        long watermark = watermark();
        long closedThrough = closedThrough();
        if (watermark != Long.MIN_VALUE && watermark > closedThrough) {
            closeWindows(closedThrough, watermark);
            progress.put(CLOSED_THROUGH, watermark);
        }
    }

    /**
     * Publishes the final result of every window that closes in (closedThrough, watermark], oldest first: tumbling
     * windows as stored, hopping windows combined from their panes (see {@link #hoppingWindowsOf}).
     */
    private void closeWindows(long closedThrough, long watermark) {
        long graceMs = windows.grace().toMillis();
        long longest = Math.max(windows.tumbling().size().toMillis(), windows.hopping().size().toMillis());
        long shortest = Math.min(windows.tumbling().size().toMillis(), windows.hopping().size().toMillis());
        long fromStart = closedThrough == Long.MIN_VALUE ? Long.MIN_VALUE : closedThrough - longest - graceMs;
        long toStart = watermark - shortest - graceMs;
        if (toStart < fromStart) {
            return;
        }
        List<KeyValue<AggregateKey, MergedWindow>> closing = new ArrayList<>();
        Set<AggregateKey> hoppingClosing = new TreeSet<>(Comparator.comparingLong(AggregateKey::windowStart)
                .thenComparing(AggregateKey::routingKey));
        try (KeyValueIterator<AggregateKey, MergedWindow> candidates = merged.range(AggregateKeySerde.lowest(fromStart),
                AggregateKeySerde.lowest(toStart + 1))) {
            while (candidates.hasNext()) {
                KeyValue<AggregateKey, MergedWindow> candidate = candidates.next();
                AggregateKey key = candidate.key;
                if (hoppingFromPanes.contains(key.dimension())) {
                    if (key.kind() == WindowKind.HOPPING) {
                        continue;  // kept by a version before hopping windows were combined here: derived from panes now
                    }
                    hoppingClosing.addAll(hoppingClosingIn(key, closedThrough, watermark));
                }
                if (closesIn(key, closedThrough, watermark)) {
                    closing.add(candidate);
                }
            }
        }
        long now = context.currentSystemTimeMs();
        for (KeyValue<AggregateKey, MergedWindow> window : closing) {
            emit(window.key, window.value.total(), Emission.FINAL, now, new RecordHeaders());
            if (!hoppingFromPanes.contains(window.key.dimension())) {
                // Only an amendment changes it now: rare, and read from the store then.
                recent.remove(window.key);
            }
        }
        for (AggregateKey hopping : hoppingClosing) {
            Partial figures = combinePanes(hopping, null, null);
            Header[] changed = hoppingChanged.remove(hopping);
            if (changed != null) {
                // Its last live figures before its final result, as for any window.
                emit(hopping, figures, Emission.LIVE, now, new RecordHeaders(changed));
            }
            emit(hopping, figures, Emission.FINAL, now, new RecordHeaders());
            forgetPanesNeededUntil(hopping);
        }
    }

    private boolean closesIn(AggregateKey key, long closedThrough, long watermark) {
        long closesAt = windows.closesAt(key.kind(), key.windowStart());
        return closesAt > closedThrough && closesAt <= watermark;
    }

    /** The hopping windows a pane is part of that close in (closedThrough, watermark]. */
    private List<AggregateKey> hoppingClosingIn(AggregateKey pane, long closedThrough, long watermark) {
        WindowSpec hopping = windows.hopping();
        List<AggregateKey> closing = new ArrayList<>();
        for (long start = hopping.firstStart(pane.windowStart()); start <= pane.windowStart(); start += hopping.advanceMs()) {
            AggregateKey key = new AggregateKey(pane.dimension(), WindowKind.HOPPING, pane.value(), start);
            if (start >= forgottenBefore && closesIn(key, closedThrough, watermark)) {
                closing.add(key);
            }
        }
        return closing;
    }

    /**
     * The panes in the first advance of a hopping window that just closed are in no hopping window still open (the
     * next starts one advance later): they leave the object cache, as closed tumbling windows of other dimensions do.
     */
    private void forgetPanesNeededUntil(AggregateKey hopping) {
        long paneSize = windows.tumbling().size().toMillis();
        for (long start = hopping.windowStart(); start < hopping.windowStart() + windows.hopping().advanceMs(); start += paneSize) {
            recent.remove(new AggregateKey(hopping.dimension(), WindowKind.TUMBLING, hopping.value(), start));
        }
    }

    private long closedThrough() {
        Long closed = progress.get(CLOSED_THROUGH);
        return closed == null ? Long.MIN_VALUE : closed;
    }

    /**
     * The lowest progress among the input partitions that are not idle, or {@link Long#MIN_VALUE} while one of them has
     * not reported. When every partition is idle, everything sent has been received: the highest progress.
     */
    long watermark() {
        long lowest = Long.MAX_VALUE;
        long highestIdle = Long.MIN_VALUE;
        boolean anyActive = false;
        for (int partition = 0; partition < inputPartitions; partition++) {
            Long streamTime = progress.get(partition);
            if (isIdle(partition)) {
                highestIdle = streamTime == null ? highestIdle : Math.max(highestIdle, streamTime);
                continue;
            }
            if (streamTime == null) {
                return Long.MIN_VALUE;
            }
            anyActive = true;
            lowest = Math.min(lowest, streamTime);
        }
        return anyActive ? lowest : highestIdle;
    }

    private boolean isIdle(int partition) {
        return progress.get(idleFlag(partition)) != null;
    }

    /** The progress store's entry saying that an input partition reported itself idle (below {@link #CLOSED_THROUGH}). */
    private static int idleFlag(int partition) {
        return CLOSED_THROUGH - 1 - partition;
    }

    /** Keys sort by window start (see {@link AggregateKeySerde}), so the old windows come first. */
    private void forgetOldWindows() {
        long watermark = watermark();
        if (watermark == Long.MIN_VALUE) {
            return;
        }
        long before = watermark - windows.retention().toMillis();
        List<AggregateKey> old = new ArrayList<>();
        try (KeyValueIterator<AggregateKey, MergedWindow> oldestFirst = merged.all()) {
            while (oldestFirst.hasNext()) {
                AggregateKey key = oldestFirst.next().key;
                if (key.windowStart() >= before) {
                    break;
                }
                old.add(key);
            }
        }
        old.forEach(merged::delete);
        old.forEach(recent::remove);
        hoppingChanged.keySet().removeIf(key -> key.windowStart() < before);
        forgottenBefore = before;
    }
}
