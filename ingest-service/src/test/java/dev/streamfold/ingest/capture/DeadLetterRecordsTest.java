package dev.streamfold.ingest.capture;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamfold.common.deadletter.DeadLetterHeaders;
import dev.streamfold.common.order.OrderRules;
import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.ingest.mapping.ChangeEventMapper;
import dev.streamfold.ingest.mapping.DebeziumChanges;
import dev.streamfold.ingest.mapping.MappedChange.Unmappable;
import java.time.Instant;
import java.time.InstantSource;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

class DeadLetterRecordsTest {

    private final Topics topics = new Topics(AvroBinarySerde.factory(), "test.");

    @Test
    void shouldSendTheChangeEventAsJsonToTheDeadLetterTopicOfItsTargetWithStreamfoldHeaders() {
        // Given an order change that cannot be mapped
        SourceRecord change = DebeziumChanges.change("orders", "c", null,
                DebeziumChanges.order(44, 7, 100, 1, 2_500, "eu1", "PLACED", "2024-05-01T10:16:00Z"), 4_711L);
        Instant failedAt = Instant.parse("2024-05-01T10:16:01Z");
        ChangeEventMapper mapper = new ChangeEventMapper(topics, OrderRules.defaults(), InstantSource.fixed(failedAt));
        Unmappable unmappable = (Unmappable) mapper.map(change);

        // When it becomes a dead letter
        ProducerRecord<byte[], byte[]> deadLetter = new DeadLetterRecords().of(change, unmappable, failedAt);

        // Then it goes to orders.dlq, readable as JSON, and says where it came from and why
        assertThat(deadLetter.topic()).isEqualTo(topics.orders().deadLetterTopicName()).isEqualTo("test.orders.dlq");
        assertThat(new String(deadLetter.key(), UTF_8)).isEqualTo("{\"id\":44}");
        assertThat(new String(deadLetter.value(), UTF_8))
                .contains("\"op\":\"c\"", "\"currency\":\"eu1\"", "\"lsn\":4711", "\"table\":\"orders\"");
        assertThat(DeadLetterHeaders.text(deadLetter.headers(), DeadLetterHeaders.SERVICE)).isEqualTo("ingest-service");
        assertThat(DeadLetterHeaders.text(deadLetter.headers(), DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo("test.orders");
        assertThat(DeadLetterHeaders.text(deadLetter.headers(), DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo("-1");
        assertThat(DeadLetterHeaders.text(deadLetter.headers(), DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("4711");
        assertThat(DeadLetterHeaders.text(deadLetter.headers(), DeadLetterHeaders.ERROR_CLASS))
                .isEqualTo("dev.streamfold.common.order.InvalidOrderException");
        assertThat(DeadLetterHeaders.text(deadLetter.headers(), DeadLetterHeaders.ERROR_MESSAGE))
                .isEqualTo("Order 44 (event pg:orders:44:1714558560000000) is invalid: currency 'eu1' is not an ISO 4217 code");
        assertThat(DeadLetterHeaders.text(deadLetter.headers(), DeadLetterHeaders.FAILED_AT)).isEqualTo("2024-05-01T10:16:01Z");
    }
}
