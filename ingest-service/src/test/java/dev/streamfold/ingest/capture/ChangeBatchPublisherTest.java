package dev.streamfold.ingest.capture;

import static dev.streamfold.common.accounting.RecordAccounting.Outcome.DEAD_LETTERED;
import static dev.streamfold.common.accounting.RecordAccounting.Outcome.FORWARDED;
import static dev.streamfold.common.accounting.RecordAccounting.Outcome.RECEIVED;
import static dev.streamfold.ingest.mapping.DebeziumChanges.COMMIT_TS_MS;
import static dev.streamfold.ingest.mapping.DebeziumChanges.CUSTOMER_ROW;
import static dev.streamfold.ingest.mapping.DebeziumChanges.ORDER_ROW;
import static dev.streamfold.ingest.mapping.DebeziumChanges.change;
import static dev.streamfold.ingest.mapping.DebeziumChanges.customer;
import static dev.streamfold.ingest.mapping.DebeziumChanges.keyOnly;
import static dev.streamfold.ingest.mapping.DebeziumChanges.order;
import static dev.streamfold.ingest.mapping.DebeziumChanges.truncate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.order.OrderRules;
import dev.streamfold.common.reference.ValidFrom;
import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.ingest.mapping.ChangeEventMapper;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.mock.MockProducerFactory;

class ChangeBatchPublisherTest {

    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
    private static final String ORDERS = "test.orders";
    private static final String CUSTOMERS = "test.customers";

    private final Topics topics = new Topics(AvroBinarySerde.factory(), "test.");
    private final MeterRegistry meters = new SimpleMeterRegistry();
    private final RecordAccounting accounting = new RecordAccounting(meters, "ingest-service");
    private final RecordingCommitter committer = new RecordingCommitter();

    @Test
    void shouldProduceWithoutATimestampSoThatKafkaStampsWhenTheRecordWasWritten() throws InterruptedException {
        // Given a snapshot of an order placed years ago and of a customer last updated years ago
        List<ChangeEvent<SourceRecord, SourceRecord>> batch = batch(
                change("orders", "r", null, order(1, 7, 100, 1, 1_200, "EUR", "PLACED", "2016-03-01T09:00:00Z"), 10L),
                change("customers", "r", null, customer(7, "Ada", "ada@example.com", "DE", "gold", "2015-01-01T00:00:00Z"), 10L));
        Broker broker = Broker.acknowledging();

        // When the batch is published
        publisher(broker).handleBatch(batch, committer);

        // Then the records carry no timestamp: the producer or the broker stamps them when they are written,
        // so retention counts from then; business time is only in the values
        assertThat(broker.history()).extracting(ProducerRecord::topic, ProducerRecord::timestamp)
                .containsExactly(tuple(ORDERS, null), tuple(CUSTOMERS, null));
    }

    @Test
    void shouldSendATombstoneWithTheHeaderSayingWhenTheKeyStoppedBeingValid() throws InterruptedException {
        // Given the delete of a customer, committed at COMMIT_TS_MS
        List<ChangeEvent<SourceRecord, SourceRecord>> batch = batch(
                change("customers", "d", keyOnly(CUSTOMER_ROW, 7), null, 15L));
        Broker broker = Broker.acknowledging();

        // When the batch is published
        publisher(broker).handleBatch(batch, committer);

        // Then the tombstone carries the valid-from header, and still no timestamp
        assertThat(broker.history()).singleElement().satisfies(record -> {
            assertThat(record.topic()).isEqualTo(CUSTOMERS);
            assertThat(record.value()).isNull();
            assertThat(record.timestamp()).isNull();
            assertThat(ValidFrom.of(record.headers())).hasValue(COMMIT_TS_MS);
        });
    }

    @Test
    void shouldAccountEveryChangeOfACapturedTopicByWhatBecameOfIt() throws InterruptedException {
        // Given a batch: a good order, an invalid order, an order row missing a column, an order update, a truncate
        // of orders and a customer
        var placed = order(2, 7, 100, 1, 2_500, "EUR", "PLACED", "2024-05-01T10:00:00Z");
        var shipped = order(2, 7, 100, 1, 2_500, "EUR", "SHIPPED", "2024-05-01T10:00:00Z", "2024-05-01T10:30:00Z");
        List<ChangeEvent<SourceRecord, SourceRecord>> batch = batch(
                change("orders", "c", null, placed, 20L),
                change("orders", "c", null, order(3, 7, 100, 0, 2_500, "EUR", "PLACED", "2024-05-01T10:01:00Z"), 21L),
                change("orders", "c", null, order(4, 7, 100, 1, 2_500, "EUR", "PLACED", null), 22L),
                change("orders", "u", placed, shipped, 23L),
                truncate("orders", ORDER_ROW, 24L),
                change("customers", "c", null, customer(8, "Bob", "bob@example.com", "FR", "silver", "2024-05-01T09:00:00Z"), 25L));

        // When the batch is published and Kafka acknowledged it
        publisher(Broker.acknowledging()).handleBatch(batch, committer);

        // Then each stage (the topic a change was meant for) received its changes; the skipped truncate is none of them
        assertThat(accounting.count(ORDERS, RECEIVED)).isEqualTo(4);
        assertThat(accounting.count(ORDERS, FORWARDED)).isEqualTo(2);
        assertThat(accounting.count(CUSTOMERS, RECEIVED)).isEqualTo(1);
        assertThat(accounting.count(CUSTOMERS, FORWARDED)).isEqualTo(1);

        // And the dead letters are counted with a short reason each
        assertThat(deadLettered(ORDERS, "invalid-order")).isEqualTo(1);
        assertThat(deadLettered(ORDERS, "unmappable-change")).isEqualTo(1);
        assertThat(accounting.count(ORDERS, DEAD_LETTERED)).isEqualTo(2);

        // And every event of the batch, the skipped one too, is committed
        assertThat(committer.processed).hasSize(batch.size());
        assertThat(committer.batchFinished).isTrue();
    }

    @Test
    void shouldNeitherCountAsForwardedNorCommitWhatKafkaDidNotAcknowledge() {
        // Given a batch with one order, and a broker that does not acknowledge it
        List<ChangeEvent<SourceRecord, SourceRecord>> batch = batch(
                change("orders", "c", null, order(5, 7, 100, 1, 2_500, "EUR", "PLACED", "2024-05-01T10:00:00Z"), 30L));

        // When the batch is published / Then it fails
        assertThatThrownBy(() -> publisher(Broker.refusing()).handleBatch(batch, committer))
                .isInstanceOf(KafkaException.class).hasMessageContaining("the batch is not committed");

        // And the order was received but not forwarded, and nothing was committed, so a restart reads it again
        assertThat(accounting.count(ORDERS, RECEIVED)).isEqualTo(1);
        assertThat(accounting.count(ORDERS, FORWARDED)).isZero();
        assertThat(committer.processed).isEmpty();
        assertThat(committer.batchFinished).isFalse();
    }

    private ChangeBatchPublisher publisher(Broker broker) {
        ChangeEventMapper mapper = new ChangeEventMapper(topics, OrderRules.defaults(), InstantSource.fixed(NOW));
        return new ChangeBatchPublisher(mapper, new KafkaTemplate<>(new MockProducerFactory<>(() -> broker)),
                new DeadLetterRecords(), accounting);
    }

    private double deadLettered(String stage, String reason) {
        return meters.get(RecordAccounting.METER).tag("stage", stage).tag("outcome", "dead-lettered").tag("reason", reason)
                .counter().count();
    }

    private static List<ChangeEvent<SourceRecord, SourceRecord>> batch(SourceRecord... changes) {
        return Arrays.stream(changes).<ChangeEvent<SourceRecord, SourceRecord>>map(Event::new).toList();
    }

    /** A change event as the embedded engine hands it over. */
    private record Event(SourceRecord value) implements ChangeEvent<SourceRecord, SourceRecord> {

        @Override
        public SourceRecord key() {
            return null;
        }

        @Override
        public String destination() {
            return value.topic();
        }

        @Override
        public Integer partition() {
            return null;
        }
    }

    private static final class RecordingCommitter implements DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> {

        private final List<ChangeEvent<SourceRecord, SourceRecord>> processed = new ArrayList<>();
        private boolean batchFinished;

        @Override
        public void markProcessed(ChangeEvent<SourceRecord, SourceRecord> event) {
            processed.add(event);
        }

        @Override
        public void markProcessed(ChangeEvent<SourceRecord, SourceRecord> event, DebeziumEngine.Offsets offsets) {
            processed.add(event);
        }

        @Override
        public void markBatchFinished() {
            batchFinished = true;
        }

        @Override
        public DebeziumEngine.Offsets buildOffsets() {
            return null;
        }
    }

    /**
     * Kafka as a {@link MockProducer} that outlives the close {@link KafkaTemplate} sends it after every use, and that
     * acknowledges every record, or fails every record still waiting when the publisher flushes.
     */
    private static final class Broker extends MockProducer<byte[], byte[]> {

        private final boolean acknowledges;

        private Broker(boolean acknowledges) {
            super(acknowledges, null, new ByteArraySerializer(), new ByteArraySerializer());
            this.acknowledges = acknowledges;
        }

        static Broker acknowledging() {
            return new Broker(true);
        }

        static Broker refusing() {
            return new Broker(false);
        }

        @Override
        public synchronized void flush() {
            if (acknowledges) {
                super.flush();
                return;
            }
            boolean failedOne = true;
            while (failedOne) {
                failedOne = errorNext(new TimeoutException("not acknowledged in time"));
            }
        }

        @Override
        public void close() {
        }

        @Override
        public void close(Duration timeout) {
        }
    }
}
