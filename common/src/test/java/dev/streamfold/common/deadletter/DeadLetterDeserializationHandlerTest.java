package dev.streamfold.common.deadletter;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamfold.common.serde.RegistryUnavailableException;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

class DeadLetterDeserializationHandlerTest {

    @Test
    void shouldSendTheUnreadableRecordByteForByteToTheTopicsDeadLetterTopicAndContinue() {
        // Given a handler of the enrichment application and a record that could not be deserialized
        DeadLetterDeserializationHandler handler = new DeadLetterDeserializationHandler();
        handler.configure(Map.of("application.id", "streamfold-enrichment"));
        RecordHeaders original = new RecordHeaders();
        original.add("trace", "abc".getBytes(UTF_8));
        ConsumerRecord<byte[], byte[]> poison = new ConsumerRecord<>("orders", 2, 41L, 0L, TimestampType.CREATE_TIME,
                1, 3, "k".getBytes(UTF_8), new byte[] {1, 2, 3}, original, java.util.Optional.empty());

        // When it handles the failure
        DeserializationExceptionHandler.Response response = handler.handleError(
                context(), poison, new SerializationException("bad magic byte", new IllegalArgumentException("0x01")));

        // Then processing resumes and exactly one dead letter goes to orders.dlq with the original bytes and headers
        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).hasSize(1);
        ProducerRecord<byte[], byte[]> letter = response.deadLetterQueueRecords().getFirst();
        assertThat(letter.topic()).isEqualTo("orders.dlq");
        assertThat(letter.key()).isEqualTo("k".getBytes(UTF_8));
        assertThat(letter.value()).containsExactly(1, 2, 3);
        Headers headers = letter.headers();
        assertThat(DeadLetterHeaders.text(headers, "trace")).isEqualTo("abc");
        assertThat(DeadLetterHeaders.text(headers, DeadLetterHeaders.SERVICE)).isEqualTo("streamfold-enrichment");
        assertThat(DeadLetterHeaders.text(headers, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo("orders");
        assertThat(DeadLetterHeaders.text(headers, DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo("2");
        assertThat(DeadLetterHeaders.text(headers, DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("41");
        assertThat(DeadLetterHeaders.text(headers, DeadLetterHeaders.ERROR_CLASS)).isEqualTo(IllegalArgumentException.class.getName());
        assertThat(DeadLetterHeaders.text(headers, DeadLetterHeaders.ERROR_MESSAGE)).contains("bad magic byte").contains("0x01");
        assertThat(DeadLetterHeaders.text(headers, DeadLetterHeaders.FAILED_AT)).isNotBlank();
    }

    @Test
    void shouldFailTheThreadRatherThanDeadLetterWhenTheRegistryIsUnreachable() {
        // Given a good record whose schema could not be fetched because the registry is down
        DeadLetterDeserializationHandler handler = new DeadLetterDeserializationHandler();
        handler.configure(Map.of("application.id", "streamfold-enrichment"));
        ConsumerRecord<byte[], byte[]> good = new ConsumerRecord<>("orders", 0, 7L, "k".getBytes(UTF_8), new byte[] {0, 0, 0, 0, 9});

        // When it handles the failure
        DeserializationExceptionHandler.Response response = handler.handleError(context(), good,
                new RegistryUnavailableException("the schema registry is unreachable"));

        // Then nothing is dead-lettered: the thread fails and the record is read again later
        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.FAIL);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
    }

    private static ErrorHandlerContext context() {
        return new ErrorHandlerContext() {
            @Override public String topic() { return "orders"; }
            @Override public int partition() { return 2; }
            @Override public long offset() { return 41L; }
            @Override public Headers headers() { return new RecordHeaders(); }
            @Override public String processorNodeId() { return "orders-source"; }
            @Override public TaskId taskId() { return new TaskId(0, 2); }
            @Override public long timestamp() { return 0L; }
            @Override public byte[] sourceRawKey() { return null; }
            @Override public byte[] sourceRawValue() { return null; }
        };
    }
}
