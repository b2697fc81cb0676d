package dev.streamfold.enrichment.join;

import dev.streamfold.common.accounting.StageLatency;
import dev.streamfold.common.order.SourceStreamTime;
import dev.streamfold.common.tracing.RecordTracing;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.OrderSource;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Runs on one partition of {@code orders} (one task), on valid orders, before any of them is re-routed or kept
 * waiting: moves the event-time stream time of the partition <em>and the order's publisher</em> ({@link OrderSource}:
 * database capture, or the applications publishing directly) to the order's event time (never back, never past the
 * wall clock) and stamps the result on the order ({@link SourceStreamTime}), for aggregation to judge lateness by.
 * One stream time per publisher: while the database capture is down, direct publishers keep moving theirs, and the
 * capture's backlog, when it resumes, is judged by its own progress, not late by theirs (the supervised-restart test
 * lost orders so when the capture was killed for longer than the grace). The stream times are kept in a store so that
 * they survive restarts and move with the task. Also stamps the order's event
 * time and its entry into the pipeline ({@link StageLatency}), for the later stages' latency, and continues its trace.
 */
final class StampSourceStreamTime implements FixedKeyProcessor<String, Order, Order> {

    private static final String SPAN = "enrich order";

    private final String storeName;
    private final RecordTracing tracing;
    private FixedKeyProcessorContext<String, Order> context;
    private KeyValueStore<String, Long> streamTimes;
    private int partition;
    private final Map<OrderSource, Long> streamTimeBySource = new EnumMap<>(OrderSource.class);

    StampSourceStreamTime(String storeName, RecordTracing tracing) {
        this.storeName = storeName;
        this.tracing = tracing;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Order> context) {
        this.context = context;
        this.streamTimes = context.getStateStore(storeName);
        this.partition = context.taskId().partition();
        streamTimeBySource.clear();
        for (OrderSource source : OrderSource.values()) {
            Long stored = streamTimes.get(key(source));
            streamTimeBySource.put(source, stored == null ? Long.MIN_VALUE : stored);
        }
    }

    private String key(OrderSource source) {
        return partition + "/" + source;
    }

    @Override
    public void process(FixedKeyRecord<String, Order> record) {
        OrderSource source = record.value().getSource();
        long streamTime = streamTimeBySource.get(source);
        long candidate = Math.min(record.value().getEventTime().toEpochMilli(), context.currentSystemTimeMs());
        if (candidate > streamTime) {
            streamTime = candidate;
            streamTimeBySource.put(source, streamTime);
            streamTimes.put(key(source), streamTime);
        }
        SourceStreamTime.stamp(record.headers(), streamTime);
        // The orders record's write time (log-append time): when the order entered the pipeline, for latency.
        StageLatency.stamp(record.headers(), record.value().getEventTime().toEpochMilli(), record.timestamp());
        tracing.startOrContinueTrace(SPAN, record.headers(), record.value().getEventId());
        context.forward(record);
    }
}
