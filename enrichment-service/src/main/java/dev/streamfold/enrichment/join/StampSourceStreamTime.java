package dev.streamfold.enrichment.join;

import dev.streamfold.common.order.SourceStreamTime;
import dev.streamfold.schemas.Order;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Runs on one partition of {@code orders} (one task), on valid orders, before any of them is re-routed or kept
 * waiting: moves the partition's event-time stream time to the order's event time (never back, never past the wall
 * clock) and stamps the result on the order ({@link SourceStreamTime}), for aggregation to judge lateness by. The
 * stream time is kept in a store so that it survives restarts and moves with the task.
 */
final class StampSourceStreamTime implements FixedKeyProcessor<String, Order, Order> {

    private final String storeName;
    private FixedKeyProcessorContext<String, Order> context;
    private KeyValueStore<Integer, Long> streamTimes;
    private int partition;
    private long streamTime;

    StampSourceStreamTime(String storeName) {
        this.storeName = storeName;
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
        context.forward(record);
    }
}
