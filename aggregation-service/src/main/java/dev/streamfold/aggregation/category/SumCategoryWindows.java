package dev.streamfold.aggregation.category;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import java.time.Instant;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.WindowStore;

/**
 * After the repartition by category: adds each delta to its window's total and publishes the new total (live, one
 * update per delta). There is no lateness here: every delta was accepted on an input partition whose window was still
 * open, so it is always added, however far apart in time the deltas of different partitions arrive.
 *
 * <p>Totals live in a window store at their window start, for {@link WindowSettings#retention()} behind the newest
 * window this task has summed. A delta for a window older than that (an input partition lagging by more than the
 * retention) cannot be added to a total that may be gone: it is thrown on, and dead-lettered (never published as a
 * wrong total). So is a delta whose sum overflows a long. Either way nothing is stored or published for it.
 */
final class SumCategoryWindows implements Processor<String, WindowDelta, WindowKey, WindowAggregate> {


    private final WindowSettings windows;
    private final RecordAccounting accounting;
    private final String fallbackStage;
    private final String totalsStore;

    private ProcessorContext<WindowKey, WindowAggregate> context;
    private WindowStore<String, WindowAggregate> totals;
    /** Start of the newest window in the store (the store's own clock); {@link Long#MIN_VALUE} while it is empty. */
    private long newestWindowStart = Long.MIN_VALUE;

    SumCategoryWindows(WindowSettings windows, RecordAccounting accounting, String stage, String totalsStore) {
        this.windows = windows;
        this.accounting = accounting;
        this.fallbackStage = stage;
        this.totalsStore = totalsStore;
    }

    @Override
    public void init(ProcessorContext<WindowKey, WindowAggregate> context) {
        this.context = context;
        this.totals = context.getStateStore(totalsStore);
        // Restored state: the newest window is never expired, so the store still holds it after a restart.
        try (KeyValueIterator<Windowed<String>, WindowAggregate> newestFirst = totals.backwardAll()) {
            if (newestFirst.hasNext()) {
                KeyValue<Windowed<String>, WindowAggregate> newest = newestFirst.next();
                newestWindowStart = newest.key.window().start();
            }
        }
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
        long windowEnd = windows.windowEnd(windowStart);
        if (isExpired(windowStart)) {
            throw new IllegalStateException("Cannot add " + delta.orderCount() + " orders to category '" + category
                    + "' in window " + Instant.ofEpochMilli(windowStart) + ": older than the window retention "
                    + windows.retention() + " behind the newest window " + Instant.ofEpochMilli(newestWindowStart)
                    + ", its total may be gone");
        }
        WindowAggregate current = totals.fetch(category, windowStart);
        WindowAggregate updated;
        try {
            updated = CategoryWindows.add(current == null ? CategoryWindows.empty(category, windowStart, windowEnd) : current, delta);
        } catch (ArithmeticException e) {
            throw new ArithmeticException("Adding " + delta + " overflows the total of category '" + category
                    + "' in window " + Instant.ofEpochMilli(windowStart) + " (" + current + ")");
        }
        totals.put(category, updated, windowStart);
        newestWindowStart = Math.max(newestWindowStart, windowStart);
        context.forward(new Record<>(new WindowKey(category, Instant.ofEpochMilli(windowStart)), updated,
                context.currentSystemTimeMs()));
        accounting.forwarded(stage);
    }

    /** The store keeps windows that start after (newest start − retention); exactly those are accepted here. */
    private boolean isExpired(long windowStart) {
        return newestWindowStart != Long.MIN_VALUE && windowStart <= newestWindowStart - windows.retention().toMillis();
    }
}
