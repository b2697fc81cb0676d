package dev.streamfold.query.aggregates;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Keeps the latest aggregate of every (dimension value, window) of one aggregate topic: a live topic carries the
 * running figures of a window, so a later record of the same window replaces the earlier one, and a tombstone removes
 * the window.
 */
final class MaterializeWindows implements Processor<WindowKey, WindowAggregate, Void, Void> {

    /** The latency stage of everything this service makes queryable (the alerts use it). */
    static final String LATENCY_STAGE = "query";

    private final String storeName;
    private final RecordAccounting accounting;
    private ProcessorContext<Void, Void> context;
    private WindowStore<String, WindowAggregate> store;

    MaterializeWindows(String storeName, RecordAccounting accounting) {
        this.storeName = storeName;
        this.accounting = accounting;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        store = context.getStateStore(storeName);
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
