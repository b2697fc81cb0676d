package dev.streamfold.aggregation.category;

import dev.streamfold.schemas.EnrichedOrder;
import java.time.Duration;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets the first record of every event id through and drops its re-deliveries (at-least-once ingest, retries,
 * reconciliation back-fills). Runs on the input partitions, before any repartition: a re-delivered event keeps
 * its customer key, so it always meets its first delivery in the same task and the same store.
 *
 * <p>Seen ids live in a window store at the order's event time and expire after window size + grace of stream
 * time. An order older than that is dropped here as late: its id may already be forgotten, and letting it through
 * could count it twice if its category's window happened to be still open on another partition.
 */
final class DeduplicateEvents implements FixedKeyProcessor<String, EnrichedOrder, EnrichedOrder> {

    private static final Logger log = LoggerFactory.getLogger(DeduplicateEvents.class);
    private static final String METRICS_SCOPE = "deduplication";

    private final String storeName;
    private final long retentionMs;
    private FixedKeyProcessorContext<String, EnrichedOrder> context;
    private WindowStore<String, Long> seenEventIds;
    private Sensor duplicates;
    private Sensor tooLate;

    DeduplicateEvents(String storeName, Duration retention) {
        this.storeName = storeName;
        this.retentionMs = retention.toMillis();
    }

    @Override
    public void init(FixedKeyProcessorContext<String, EnrichedOrder> context) {
        this.context = context;
        this.seenEventIds = context.getStateStore(storeName);
        // Kafka Streams metrics, so they reach Prometheus through the Micrometer binder with everything else.
        String task = context.taskId().toString();
        this.duplicates = context.metrics().addRateTotalSensor(METRICS_SCOPE, task, "duplicate-events", Sensor.RecordingLevel.INFO);
        this.tooLate = context.metrics().addRateTotalSensor(METRICS_SCOPE, task, "late-events", Sensor.RecordingLevel.INFO);
    }

    @Override
    public void process(FixedKeyRecord<String, EnrichedOrder> record) {
        EnrichedOrder order = record.value();
        if (order == null) {
            // Thrown rather than skipped: the processing exception handler dead-letters it, nothing is lost silently.
            throw new IllegalArgumentException("an orders.enriched record without a value (key " + record.key() + ")");
        }
        long eventTime = record.timestamp();
        // The store forgets ids at (not after) stream time - retention, hence <=.
        if (eventTime <= context.currentStreamTimeMs() - retentionMs) {
            tooLate.record();
            log.debug("Dropping event {} of {}: older than the deduplication horizon", order.getEventId(), order.getEventTime());
            return;
        }
        // One event id is one event, so one event time: the exact lookup finds any earlier delivery.
        if (seenEventIds.fetch(order.getEventId(), eventTime) != null) {
            duplicates.record();
            log.debug("Dropping duplicate event {}", order.getEventId());
            return;
        }
        // The value (wall-clock time of the first delivery) is only there to help when inspecting the store.
        seenEventIds.put(order.getEventId(), context.currentSystemTimeMs(), eventTime);
        context.forward(record);
    }

    @Override
    public void close() {
        context.metrics().removeSensor(duplicates);
        context.metrics().removeSensor(tooLate);
    }
}
