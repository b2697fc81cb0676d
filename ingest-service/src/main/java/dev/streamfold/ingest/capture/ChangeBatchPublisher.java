package dev.streamfold.ingest.capture;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.deadletter.Faults;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.ingest.mapping.ChangeEventMapper;
import dev.streamfold.ingest.mapping.MappedChange;
import dev.streamfold.ingest.mapping.MappedChange.Publish;
import dev.streamfold.ingest.mapping.MappedChange.Skip;
import dev.streamfold.ingest.mapping.MappedChange.Unmappable;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import dev.streamfold.schemas.Order;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;

/**
 * Publishes each batch of change events and only then lets Debezium commit their source positions: the whole batch
 * is sent, flushed and acknowledged by Kafka first (at-least-once). A send that fails fails the batch, so the
 * engine stops without committing and a restart re-reads those changes.
 *
 * <p>Accounting: a stage is the topic a change is meant for. A change for a captured topic is {@code received} when it
 * is mapped, then {@code forwarded} or {@code dead-lettered} once Kafka acknowledged what was written for it. Skipped
 * changes (a truncate, which names no row) are not records of the stage and are not counted.
 */
final class ChangeBatchPublisher implements DebeziumEngine.ChangeConsumer<ChangeEvent<SourceRecord, SourceRecord>> {

    private static final Logger log = LoggerFactory.getLogger(ChangeBatchPublisher.class);
    private static final long NO_EVENT_TIME = Long.MIN_VALUE;
    /** Orders are in the pipeline once Kafka acknowledged them: event-time latency only (ingest time is now). */
    private static final String LATENCY_STAGE = "ingest";

    private final ChangeEventMapper mapper;
    private final KafkaTemplate<byte[], byte[]> kafka;
    private final DeadLetterRecords deadLetters;
    private final RecordAccounting accounting;

    ChangeBatchPublisher(ChangeEventMapper mapper, KafkaTemplate<byte[], byte[]> kafka, DeadLetterRecords deadLetters,
            RecordAccounting accounting) {
        this.mapper = mapper;
        this.kafka = kafka;
        this.deadLetters = deadLetters;
        this.accounting = accounting;
    }

    @Override
    public void handleBatch(List<ChangeEvent<SourceRecord, SourceRecord>> events,
            DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer) throws InterruptedException {
        List<PendingSend> sends = new ArrayList<>(events.size());
        for (ChangeEvent<SourceRecord, SourceRecord> event : events) {
            SourceRecord change = event.value();
            if (change != null) {
                send(change, mapper.map(change), sends);
            }
        }
        kafka.flush();
        for (PendingSend send : sends) {
            send.await();
            send.account(accounting);
        }
        for (ChangeEvent<SourceRecord, SourceRecord> event : events) {
            committer.markProcessed(event);
        }
        committer.markBatchFinished();
    }

    @Override
    public boolean supportsTombstoneEvents() {
        return false;
    }

    private void send(SourceRecord change, MappedChange mapped, List<PendingSend> sends) {
        switch (mapped) {
            case Publish<?> publish -> {
                accounting.received(publish.topic().name());
                long eventTimeMs = publish.value() instanceof Order order ? order.getEventTime().toEpochMilli() : NO_EVENT_TIME;
                sends.add(new PendingSend(publish.topic().name(), null, eventTimeMs, kafka.send(toProducerRecord(publish))));
            }
            case Unmappable unmappable -> {
                accounting.received(unmappable.topic().name());
                log.warn("Change of {} at LSN {} cannot be published, sending it to {}: {}", unmappable.topic().name(),
                        unmappable.lsn(), unmappable.topic().deadLetterTopicName(), unmappable.error().getMessage());
                sends.add(new PendingSend(unmappable.topic().name(), Faults.reason(unmappable.error()), NO_EVENT_TIME,
                        kafka.send(deadLetters.of(change, unmappable, Instant.now()))));
            }
            case Skip skip -> log.debug("Skipping change at {}: {}", change.sourceOffset(), skip.reason());
        }
    }

    /**
     * No partition (the key decides) and no timestamp: the record is stamped when it is written, never with business
     * time, because the broker's retention counts from the record timestamp and a snapshot of years-old rows must not
     * be deleted on arrival. Business time stays in the value, or in a header of a tombstone.
     */
    private static <V> ProducerRecord<byte[], byte[]> toProducerRecord(Publish<V> publish) {
        Topic<String, V> topic = publish.topic();
        byte[] key = topic.keySerde().serializer().serialize(topic.name(), publish.key());
        byte[] value = publish.value() == null ? null : topic.valueSerde().serializer().serialize(topic.name(), publish.value());
        return new ProducerRecord<>(topic.name(), null, key, value, publish.headers());
    }

    /**
     * One record sent for a change of {@code stage}.
     *
     * @param deadLetterReason the reason tag when the record is a dead letter, {@code null} when it is the published record
     * @param eventTimeMs      the order's event time, for the ingest stage's latency; {@link #NO_EVENT_TIME} for others
     */
    private record PendingSend(String stage, String deadLetterReason, long eventTimeMs,
            CompletableFuture<SendResult<byte[], byte[]>> result) {

        void await() throws InterruptedException {
            try {
                result.get();
            } catch (ExecutionException e) {
                throw new KafkaException("Kafka did not acknowledge a record for " + stage
                        + (deadLetterReason != null ? " (dead letter)" : "") + "; the batch is not committed", e.getCause());
            }
        }

        void account(RecordAccounting accounting) {
            if (deadLetterReason == null) {
                accounting.forwarded(stage);
                if (eventTimeMs != NO_EVENT_TIME) {
                    accounting.latency().record(LATENCY_STAGE, System.currentTimeMillis(), eventTimeMs, OptionalLong.empty());
                }
            } else {
                accounting.deadLettered(stage, deadLetterReason);
            }
        }
    }
}
