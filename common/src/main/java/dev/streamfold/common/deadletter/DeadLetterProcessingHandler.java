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
 * task moves on. For a record read from a repartition topic the source topic is that repartition topic: services
 * create its dead-letter topic at start-up ({@link DeadLetterTopics}).
 *
 * <p>Transient faults are not the record's: the thread fails and is replaced, and the record is processed again. A
 * failure outside any source record (a punctuation) has nothing to dead-letter; processors that punctuate handle
 * their own per-record failures, so what reaches here is unexpected and fails the thread too.
 */
public class DeadLetterProcessingHandler implements ProcessingExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterProcessingHandler.class);

    private HandlerSettings settings = HandlerSettings.unconfigured();

    @Override
    public void configure(Map<String, ?> configs) {
        settings = HandlerSettings.from(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (Faults.isTransient(exception)) {
            log.warn("Processor {} hit a transient fault on {}-{}@{}; the record will be processed again: {}",
                    context.processorNodeId(), context.topic(), context.partition(), context.offset(), exception.toString());
            return Response.fail();
        }
        if (context.topic() == null) {
            log.error("Processing failed in {} outside any source record", context.processorNodeId(), exception);
            return Response.fail();
        }
        DeadLetterSource source = new DeadLetterSource(settings.service(), context.topic(), context.partition(), context.offset());
        log.warn("Processor {} failed on {}-{}@{}, sending it to {}: {}", context.processorNodeId(), context.topic(),
                context.partition(), context.offset(), source.deadLetterTopic(), exception.getMessage());
        settings.accounting().deadLettered(context.topic(), Faults.reason(exception));
        return Response.resume(List.of(DeadLetterHeaders.deadLetter(source, context.sourceRawKey(),
                context.sourceRawValue(), context.headers(), exception, Instant.now())));
    }
}
