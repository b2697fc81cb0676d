package dev.streamfold.common.deadletter;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamfold.common.serde.RegistryUnavailableException;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.SerializationExceptionOrigin;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

class DeadLetterProductionHandlerTest {

    private static final byte[] SOURCE_KEY = "7".getBytes(UTF_8);
    private static final byte[] SOURCE_VALUE = {0, 0, 0, 0, 1, 2};

    private final DeadLetterProductionHandler handler = configured();
    private final ProducerRecord<byte[], byte[]> output = new ProducerRecord<>("orders.enriched", "7".getBytes(UTF_8), new byte[] {9});

    @Test
    void shouldDeadLetterTheSourceRecordOfAnOutputTheBrokerRefusesForGood() {
        // When the broker refuses the enriched order as too large
        ProductionExceptionHandler.Response response = handler.handleError(context("orders"), output,
                new RecordTooLargeException("The message is 1200000 bytes"));

        // Then the task goes on, and the order it was computed from goes to orders.dlq saying why
        assertThat(response.result()).isEqualTo(ProductionExceptionHandler.Result.RESUME);
        ProducerRecord<byte[], byte[]> letter = response.deadLetterQueueRecords().getFirst();
        assertThat(letter.topic()).isEqualTo("orders.dlq");
        assertThat(letter.key()).isEqualTo(SOURCE_KEY);
        assertThat(letter.value()).isEqualTo(SOURCE_VALUE);
        assertThat(DeadLetterHeaders.text(letter.headers(), DeadLetterHeaders.ERROR_MESSAGE))
                .contains("the broker refused the output record for orders.enriched", "1200000 bytes");
    }

    @Test
    void shouldDeadLetterTheOutputItselfWhenAPunctuationMadeIt() {
        // When an output made by a punctuation (no source record) is refused
        ProductionExceptionHandler.Response response = handler.handleError(context(null), output,
                new RecordTooLargeException("too large"));

        // Then the output's own bytes go to the output topic's dead letters
        ProducerRecord<byte[], byte[]> letter = response.deadLetterQueueRecords().getFirst();
        assertThat(letter.topic()).isEqualTo("orders.enriched.dlq");
        assertThat(letter.value()).containsExactly(9);
    }

    @Test
    void shouldRetryATimeoutAndNeverDeadLetterIt() {
        ProductionExceptionHandler.Response response = handler.handleError(context("orders"), output,
                new TimeoutException("Expiring 1 record(s)"));

        assertThat(response.result()).isEqualTo(ProductionExceptionHandler.Result.RETRY);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
    }

    @Test
    void shouldFailRatherThanDeadLetterWhenTheRegistryCannotBeReachedToSerialize() {
        ProductionExceptionHandler.Response response = handler.handleSerializationError(context("orders"), output,
                new RegistryUnavailableException("the schema registry is unreachable"), SerializationExceptionOrigin.VALUE);

        assertThat(response.result()).isEqualTo(ProductionExceptionHandler.Result.FAIL);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
    }

    @Test
    void shouldDeadLetterTheSourceOfAnOutputThatCannotBeSerialized() {
        ProductionExceptionHandler.Response response = handler.handleSerializationError(context("orders"), output,
                new SerializationException("null in a required field"), SerializationExceptionOrigin.VALUE);

        assertThat(response.result()).isEqualTo(ProductionExceptionHandler.Result.RESUME);
        assertThat(DeadLetterHeaders.text(response.deadLetterQueueRecords().getFirst().headers(), DeadLetterHeaders.ERROR_MESSAGE))
                .contains("cannot serialize the output value for orders.enriched", "null in a required field");
    }

    private static DeadLetterProductionHandler configured() {
        DeadLetterProductionHandler handler = new DeadLetterProductionHandler();
        handler.configure(Map.of("application.id", "streamfold-enrichment"));
        return handler;
    }

    private static ErrorHandlerContext context(String sourceTopic) {
        return new ErrorHandlerContext() {
            @Override public String topic() { return sourceTopic; }
            @Override public int partition() { return sourceTopic == null ? -1 : 3; }
            @Override public long offset() { return sourceTopic == null ? -1 : 12L; }
            @Override public Headers headers() { return new RecordHeaders(); }
            @Override public String processorNodeId() { return "to-enriched-orders"; }
            @Override public TaskId taskId() { return new TaskId(0, 3); }
            @Override public long timestamp() { return 0L; }
            @Override public byte[] sourceRawKey() { return sourceTopic == null ? null : SOURCE_KEY; }
            @Override public byte[] sourceRawValue() { return sourceTopic == null ? null : SOURCE_VALUE; }
        };
    }
}
