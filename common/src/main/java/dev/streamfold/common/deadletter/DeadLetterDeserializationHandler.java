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
 *
 * <p>Only faults of the record are dead-lettered. A transient fault (the registry unreachable while resolving a
 * schema id seen for the first time) fails the stream thread instead: the transaction aborts, the thread is replaced
 * (see {@link dev.streamfold.common.streams.ReplaceThreadOnFailure}) and the record is read again, so a registry
 * outage delays records and never turns good ones into dead letters.
 */
public class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);

    private HandlerSettings settings = HandlerSettings.unconfigured();

    @Override
    public void configure(Map<String, ?> configs) {
        settings = HandlerSettings.from(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        if (Faults.isTransient(exception)) {
            log.warn("Cannot deserialize {}-{}@{} for now, the record will be read again: {}", record.topic(),
                    record.partition(), record.offset(), exception.toString());
            return Response.fail();
        }
        DeadLetterSource source = new DeadLetterSource(settings.service(), record.topic(), record.partition(), record.offset());
        log.warn("Cannot deserialize {}-{}@{}, sending it to {}: {}", record.topic(), record.partition(), record.offset(),
                source.deadLetterTopic(), exception.getMessage());
        // Never seen by a processor, so received here: the stage's books must balance.
        settings.accounting().received(record.topic());
        settings.accounting().deadLettered(record.topic(), Faults.reason(exception));
        return Response.resume(List.of(DeadLetterHeaders.deadLetter(
                source, record.key(), record.value(), record.headers(), exception, Instant.now())));
    }
}
