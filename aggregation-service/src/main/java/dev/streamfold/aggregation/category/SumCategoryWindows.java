package dev.streamfold.aggregation.category;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * After the repartition by category: adds each delta to its window's total and publishes the new total (live, one
 * update per delta). There is no lateness here: every delta was accepted on an input partition whose window was still
 * open, so it is always added, however far apart in time the deltas of different partitions arrive (after an outage,
 * or while a snapshot of years of orders is read, one partition may be months of event time ahead of another).
 *
 * <p>So totals are not forgotten by this task's newest window but by a watermark: the lowest stream time among all
 * input partitions, as each last reported it with its deltas. No delta of a window that closed before the watermark
 * can come any more; totals of windows older than the watermark by the retention are deleted (wall-clock punctuation).
 * Until every input partition has reported, nothing is deleted. A delta for a deleted window would mean a bug, and is
 * thrown on (dead-lettered), never published as a wrong total; so is a delta whose sum overflows a long.
 */
final class SumCategoryWindows implements Processor<String, WindowDelta, WindowKey, WindowAggregate> {

    static final Duration PURGE_INTERVAL = Duration.ofMinutes(1);

    private final WindowSettings windows;
    private final RecordAccounting accounting;
    private final String fallbackStage;
    private final String totalsStore;
    private final String sourceStreamTimesStore;
    private final int inputPartitions;

    private ProcessorContext<WindowKey, WindowAggregate> context;
    private KeyValueStore<CategoryWindow, WindowAggregate> totals;
    private KeyValueStore<Integer, Long> sourceStreamTimes;
    /** Windows starting before this were deleted by the last purge (derived again by the first purge after a restart). */
    private long forgottenBefore = Long.MIN_VALUE;

    SumCategoryWindows(WindowSettings windows, RecordAccounting accounting, String stage, String totalsStore,
            String sourceStreamTimesStore, int inputPartitions) {
        this.windows = windows;
        this.accounting = accounting;
        this.fallbackStage = stage;
        this.totalsStore = totalsStore;
        this.sourceStreamTimesStore = sourceStreamTimesStore;
        this.inputPartitions = inputPartitions;
    }

    @Override
    public void init(ProcessorContext<WindowKey, WindowAggregate> context) {
        this.context = context;
        this.totals = context.getStateStore(totalsStore);
        this.sourceStreamTimes = context.getStateStore(sourceStreamTimesStore);
        context.schedule(PURGE_INTERVAL, PunctuationType.WALL_CLOCK_TIME, ignored -> forgetOldWindows());
    }

    @Override
    public void process(Record<String, WindowDelta> record) {
        // Named like the dead-letter handlers name it: after the repartition topic the delta was read from.
        String stage = context.recordMetadata().map(RecordMetadata::topic).orElse(fallbackStage);
        accounting.received(stage);
        String category = record.key();
        WindowDelta delta = record.value();
        if (category == null || delta == null) {
            throw new IllegalArgumentException("A window delta without a category or a value (key " + category + ")");
        }
        long windowStart = delta.windowStart();
        if (windowStart < forgottenBefore) {
            throw new IllegalStateException("Cannot add " + delta.orderCount() + " orders to category '" + category
                    + "' in window " + Instant.ofEpochMilli(windowStart) + ": windows before "
                    + Instant.ofEpochMilli(forgottenBefore) + " are forgotten already");
        }
        CategoryWindow key = new CategoryWindow(category, windowStart);
        WindowAggregate current = totals.get(key);
        WindowAggregate updated;
        try {
            updated = CategoryWindows.add(current == null
                    ? CategoryWindows.empty(category, windowStart, windows.windowEnd(windowStart)) : current, delta);
        } catch (ArithmeticException e) {
            throw new ArithmeticException("Adding " + delta.orderCount() + " orders " + delta.revenueMinor()
                    + " overflows the total of category '" + category + "' in window " + Instant.ofEpochMilli(windowStart)
                    + " (" + current.getRevenueMinor() + ")");
        }
        totals.put(key, updated);
        noteSourceStreamTime(delta);
        // The delta's latency headers go on with the total, for the query service to measure.
        context.forward(new Record<>(new WindowKey(category, Instant.ofEpochMilli(windowStart)), updated,
                context.currentSystemTimeMs(), record.headers()));
        accounting.forwarded(stage);
    }

    private void noteSourceStreamTime(WindowDelta delta) {
        if (delta.sourcePartition() == WindowDelta.UNKNOWN_PARTITION) {
            return;
        }
        Long known = sourceStreamTimes.get(delta.sourcePartition());
        if (known == null || delta.sourceStreamTime() > known) {
            sourceStreamTimes.put(delta.sourcePartition(), delta.sourceStreamTime());
        }
    }

    /** The lowest stream time among all input partitions, or {@link Long#MIN_VALUE} while one has not reported. */
    long watermark() {
        long lowest = Long.MAX_VALUE;
        for (int partition = 0; partition < inputPartitions; partition++) {
            Long streamTime = sourceStreamTimes.get(partition);
            if (streamTime == null) {
                return Long.MIN_VALUE;
            }
            lowest = Math.min(lowest, streamTime);
        }
        return lowest;
    }

    /** Keys sort by window start (see {@link CategoryWindowSerde}), so the old windows come first. */
    private void forgetOldWindows() {
        long watermark = watermark();
        if (watermark == Long.MIN_VALUE) {
            return;
        }
        long before = watermark - windows.retention().toMillis();
        List<CategoryWindow> old = new ArrayList<>();
        try (KeyValueIterator<CategoryWindow, WindowAggregate> oldestFirst = totals.all()) {
            while (oldestFirst.hasNext()) {
                CategoryWindow key = oldestFirst.next().key;
                if (key.windowStart() >= before) {
                    break;
                }
                old.add(key);
            }
        }
        old.forEach(totals::delete);
        forgottenBefore = before;
    }
}
