package dev.streamfold.query.category;

import dev.streamfold.common.accounting.RecordAccounting;

import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Keeps the latest aggregate of every (category, window): the aggregate topic carries the running total of a
 * window, so a later record of the same window replaces the earlier one, and a tombstone removes the window.
 */
final class MaterializeCategoryWindows implements Processor<WindowKey, WindowAggregate, Void, Void> {

    private static final String LATENCY_STAGE = "query";

    private final RecordAccounting accounting;
    private ProcessorContext<Void, Void> context;
    private WindowStore<String, WindowAggregate> store;

    MaterializeCategoryWindows(RecordAccounting accounting) {
        this.accounting = accounting;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        store = context.getStateStore(CategoryWindowsTopology.STORE);
    }

    @Override
    public void process(Record<WindowKey, WindowAggregate> record) {
        WindowKey key = record.key();
        if (key == null || key.getDimensionValue() == null || key.getWindowStart() == null) {
            // Thrown rather than skipped, so the processing handler dead-letters the record instead of losing it.
            throw new IllegalArgumentException("aggregate without a complete window key: " + key);
        }
        store.put(key.getDimensionValue(), record.value(), key.getWindowStart().toEpochMilli());
        // Queryable from here on: the end of the orders' way (latency times stamped by aggregation, if any).
        accounting.latency().record(LATENCY_STAGE, context.currentSystemTimeMs(), record.headers());
    }
}
