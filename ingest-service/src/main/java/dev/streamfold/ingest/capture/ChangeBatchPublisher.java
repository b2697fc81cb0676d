package dev.streamfold.ingest.capture;

import dev.streamfold.common.topic.Topic;
import dev.streamfold.ingest.mapping.ChangeEventMapper;
import dev.streamfold.ingest.mapping.MappedChange;
import dev.streamfold.ingest.mapping.MappedChange.Publish;
import dev.streamfold.ingest.mapping.MappedChange.Skip;
import dev.streamfold.ingest.mapping.MappedChange.Unmappable;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
 */
final class ChangeBatchPublisher implements DebeziumEngine.ChangeConsumer<ChangeEvent<SourceRecord, SourceRecord>> {

    private static final Logger log = LoggerFactory.getLogger(ChangeBatchPublisher.class);

    private final ChangeEventMapper mapper;
    private final KafkaTemplate<byte[], byte[]> kafka;
    private final DeadLetterRecords deadLetters;
    private final IngestMetrics metrics;

    ChangeBatchPublisher(ChangeEventMapper mapper, KafkaTemplate<byte[], byte[]> kafka, DeadLetterRecords deadLetters,
            IngestMetrics metrics) {
        this.mapper = mapper;
        this.kafka = kafka;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
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
            if (send.deadLetter()) {
                metrics.deadLettered(send.intendedTopic());
            } else {
                metrics.produced(send.intendedTopic());
            }
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
            case Publish<?> publish -> sends.add(new PendingSend(publish.topic().name(), false, kafka.send(toProducerRecord(publish))));
            case Unmappable unmappable -> {
                log.warn("Change of {} at LSN {} cannot be mapped, sending it to {}: {}", unmappable.topic().name(),
                        unmappable.lsn(), unmappable.topic().deadLetterTopicName(), unmappable.error().getMessage());
                sends.add(new PendingSend(unmappable.topic().name(), true, kafka.send(deadLetters.of(change, unmappable, Instant.now()))));
            }
            case Skip skip -> log.debug("Skipping change at {}: {}", change.sourceOffset(), skip.reason());
        }
    }

    private static <V> ProducerRecord<byte[], byte[]> toProducerRecord(Publish<V> publish) {
        Topic<String, V> topic = publish.topic();
        byte[] key = topic.keySerde().serializer().serialize(topic.name(), publish.key());
        byte[] value = publish.value() == null ? null : topic.valueSerde().serializer().serialize(topic.name(), publish.value());
        return new ProducerRecord<>(topic.name(), null, publish.timestamp().toEpochMilli(), key, value);
    }

    private record PendingSend(String intendedTopic, boolean deadLetter, CompletableFuture<SendResult<byte[], byte[]>> result) {

        void await() throws InterruptedException {
            try {
                result.get();
            } catch (ExecutionException e) {
                throw new KafkaException("Kafka did not acknowledge a record for " + intendedTopic
                        + (deadLetter ? " (dead letter)" : "") + "; the batch is not committed", e.getCause());
            }
        }
    }
}
