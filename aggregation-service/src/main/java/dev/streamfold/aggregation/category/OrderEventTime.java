package dev.streamfold.aggregation.category;

import dev.streamfold.schemas.EnrichedOrder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Windows follow the order's own event time, not whenever the record happened to be produced: the upstream
 * sets one to the other today, but a re-delivery or a replay must still land in the order's original window.
 */
final class OrderEventTime implements TimestampExtractor {

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        if (record.value() instanceof EnrichedOrder order) {
            return order.getEventTime().toEpochMilli();
        }
        // A record without an order carries no event time; deduplication rejects it to the dead-letter topic.
        return record.timestamp();
    }
}
