package dev.streamfold.enrichment.join;

import dev.streamfold.common.accounting.StageLatency;
import dev.streamfold.common.order.SourceStreamTime;
import dev.streamfold.common.tracing.RecordTracing;
import dev.streamfold.schemas.Order;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Runs on one partition of {@code orders} (one task), on valid orders, before any of them is re-routed or kept
 * waiting: moves the partition's event-time stream time to the order's event time (never back, never past the wall
 * clock) and stamps the result on the order ({@link SourceStreamTime}), for aggregation to judge lateness by. The
 * stream time is kept in a store so that it survives restarts and moves with the task. Also stamps the order's event
 * time and its entry into the pipeline ({@link StageLatency}), for the later stages' latency, and continues its trace.
 */
final class StampSourceStreamTime implements FixedKeyProcessor<String, Order, Order> {

    private static final String SPAN = "enrich order";

    private final String storeName;
    private final RecordTracing tracing;
    private FixedKeyProcessorContext<String, Order> context;
    private KeyValueStore<Integer, Long> streamTimes;
    private int partition;
    private long streamTime;

    StampSourceStreamTime(String storeName, RecordTracing tracing) {
        this.storeName = storeName;
        this.tracing = tracing;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Order> context) {
        this.context = context;
        this.streamTimes = context.getStateStore(storeName);
        this.partition = context.taskId().partition();
        Long stored = streamTimes.get(partition);
        this.streamTime = stored == null ? Long.MIN_VALUE : stored;
    }

    @Override
    public void process(FixedKeyRecord<String, Order> record) {
        long candidate = Math.min(record.value().getEventTime().toEpochMilli(), context.currentSystemTimeMs());
        if (candidate > streamTime) {
            streamTime = candidate;
            streamTimes.put(partition, streamTime);
        }
        SourceStreamTime.stamp(record.headers(), streamTime);
        // The orders record's write time (log-append time): when the order entered the pipeline, for latency.
        StageLatency.stamp(record.headers(), record.value().getEventTime().toEpochMilli(), record.timestamp());
        tracing.startOrContinueTrace(SPAN, record.headers(), record.value().getEventId());
        context.forward(record);
    }
}
