package dev.streamfold.common.deadletter;

import java.time.Instant;
import org.apache.kafka.common.TopicPartition;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;

/** spring-kafka's recoverer, sending to {@code <topic>.dlq} with Streamfold's dead-letter headers. */
public final class DeadLetterRecoverers {

    private DeadLetterRecoverers() {
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
