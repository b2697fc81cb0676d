package dev.streamfold.common.deadletter;

import java.time.Instant;
import org.apache.kafka.common.TopicPartition;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.util.backoff.ExponentialBackOff;
import org.springframework.util.backoff.FixedBackOff;

/** spring-kafka's recoverer, sending to {@code <topic>.dlq} with Streamfold's dead-letter headers. */
public final class DeadLetterRecoverers {

    private DeadLetterRecoverers() {
    }

    /**
     * spring-kafka's error handler for a listener container: a fault of the record is dead-lettered at once (retrying
     * cannot mend it); a transient fault (registry or broker unreachable) is retried with backoff for as long as it
     * lasts, so a registry outage delays records and never turns good ones into dead letters.
     */
    public static DefaultErrorHandler errorHandler(ConsumerRecordRecoverer recoverer) {
        DefaultErrorHandler handler = new DefaultErrorHandler(recoverer);
        // Deserialization failures are "not retryable" by default; here the fault decides, see the backoff function.
        handler.addRetryableExceptions(DeserializationException.class);
        handler.setBackOffFunction((record, error) -> Faults.isTransient(error) ? untilItAnswers() : NO_RETRY);
        return handler;
    }

    private static final FixedBackOff NO_RETRY = new FixedBackOff(0L, 0L);

    private static ExponentialBackOff untilItAnswers() {
        ExponentialBackOff backOff = new ExponentialBackOff(500L, 2.0);
        backOff.setMaxInterval(10_000L);
        backOff.setMaxElapsedTime(Long.MAX_VALUE);
        return backOff;
    }

    public static DeadLetterPublishingRecoverer toDeadLetterTopics(KafkaOperations<?, ?> template, String service) {
        DeadLetterPublishingRecoverer recoverer = new DeadLetterPublishingRecoverer(template,
                (record, error) -> new TopicPartition(
                        new DeadLetterSource(service, record.topic(), record.partition(), record.offset()).deadLetterTopic(), -1));
        recoverer.setHeadersFunction((record, error) -> DeadLetterHeaders.describe(
                new DeadLetterSource(service, record.topic(), record.partition(), record.offset()), error, Instant.now(), null));
        return recoverer;
    }
}
