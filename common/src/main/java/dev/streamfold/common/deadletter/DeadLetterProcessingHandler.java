package dev.streamfold.common.deadletter;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record a processor throws on goes to {@code <source topic>.dlq} with the raw bytes it was read from, and the
 * task moves on. A failure outside a source record (a punctuation) has nothing to dead-letter and stops the task.
 */
public class DeadLetterProcessingHandler implements ProcessingExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterProcessingHandler.class);

    private String service = "unknown";

    @Override
    public void configure(Map<String, ?> configs) {
        service = ServiceName.fromStreamsConfig(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (context.topic() == null) {
            log.error("Processing failed in {} outside any source record", context.processorNodeId(), exception);
            return Response.fail();
        }
        DeadLetterSource source = new DeadLetterSource(service, context.topic(), context.partition(), context.offset());
        log.warn("Processor {} failed on {}-{}@{}, sending it to {}: {}", context.processorNodeId(), context.topic(),
                context.partition(), context.offset(), source.deadLetterTopic(), exception.toString());
        return Response.resume(List.of(DeadLetterHeaders.deadLetter(source, context.sourceRawKey(),
                context.sourceRawValue(), context.headers(), exception, Instant.now())));
    }
}
