package dev.streamfold.common.deadletter;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record Kafka Streams cannot deserialize goes, byte for byte, to {@code <source topic>.dlq} and processing
 * continues. Uses Kafka Streams' own dead-letter support (KIP-1034): the records returned here are produced in
 * the same transaction as the task's output, so under exactly-once the dead letter and the skip commit together.
 */
public class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);

    private String service = "unknown";

    @Override
    public void configure(Map<String, ?> configs) {
        service = ServiceName.fromStreamsConfig(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        DeadLetterSource source = new DeadLetterSource(service, record.topic(), record.partition(), record.offset());
        log.warn("Cannot deserialize {}-{}@{}, sending it to {}: {}", record.topic(), record.partition(), record.offset(),
                source.deadLetterTopic(), exception.toString());
        return Response.resume(List.of(DeadLetterHeaders.deadLetter(
                source, record.key(), record.value(), record.headers(), exception, Instant.now())));
    }
}
