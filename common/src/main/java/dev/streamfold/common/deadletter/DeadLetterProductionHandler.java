package dev.streamfold.common.deadletter;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An output record the broker refuses for good (too large, invalid) or that cannot be serialized: the record it was
 * computed from is dead-lettered to {@code <source topic>.dlq}, so the task goes on and nothing is lost. An output
 * made by a punctuator has no source record: the output itself goes to {@code <output topic>.dlq}. Transient faults
 * (timeouts, an unreachable registry) are retried and never dead-lettered.
 */
public class DeadLetterProductionHandler implements ProductionExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterProductionHandler.class);

    private HandlerSettings settings = HandlerSettings.unconfigured();

    @Override
    public void configure(Map<String, ?> configs) {
        settings = HandlerSettings.from(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (Faults.isTransient(exception)) {
            log.warn("Sending to {} failed for now, retrying: {}", record.topic(), exception.toString());
            return Response.retry();
        }
        return Response.resume(List.of(deadLetter(context, record.topic(), record.key(), record.value(), record.headers(),
                new IllegalStateException("the broker refused the output record for " + record.topic() + ": " + exception, exception))));
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
            SerializationExceptionOrigin origin) {
        if (Faults.isTransient(exception)) {
            log.warn("Cannot serialize the output for {} for now; the task fails and its input is processed again: {}",
                    record.topic(), exception.toString());
            return Response.fail();
        }
        return Response.resume(List.of(deadLetter(context, record.topic(), null, null, record.headers(),
                new IllegalStateException("cannot serialize the output " + origin.name().toLowerCase() + " for "
                        + record.topic() + ": " + exception.getMessage(), exception))));
    }

    private ProducerRecord<byte[], byte[]> deadLetter(ErrorHandlerContext context, String outputTopic, byte[] outputKey,
            byte[] outputValue, Headers headers, Exception error) {
        boolean fromSource = context.topic() != null;
        DeadLetterSource source = fromSource
                ? new DeadLetterSource(settings.service(), context.topic(), context.partition(), context.offset())
                : new DeadLetterSource(settings.service(), outputTopic, -1, -1);
        log.warn("{}; sending {} to {}", error.getMessage(), fromSource ? "its source record" : "it", source.deadLetterTopic());
        settings.accounting().deadLettered(source.topic(), Faults.reason(error.getCause()));
        return fromSource
                ? DeadLetterHeaders.deadLetter(source, context.sourceRawKey(), context.sourceRawValue(), context.headers(), error, Instant.now())
                : DeadLetterHeaders.deadLetter(source, outputKey, outputValue, headers, error, Instant.now());
    }
}
