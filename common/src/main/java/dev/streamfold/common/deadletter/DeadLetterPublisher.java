package dev.streamfold.common.deadletter;

import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends a dead letter where no Kafka Streams task can: from a global-store processor, which can neither forward nor
 * take part in a transaction. Returns once the broker has acknowledged it.
 */
@FunctionalInterface
public interface DeadLetterPublisher {

    void publish(ProducerRecord<byte[], byte[]> deadLetter);
}
