package dev.streamfold.common.deadletter;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Publishes dead letters with a spring-kafka producer of its own (idempotent, acks from all replicas) and waits for
 * the acknowledgement, so that none is lost silently.
 */
public final class KafkaDeadLetterPublisher implements DeadLetterPublisher, DisposableBean {

    private final DefaultKafkaProducerFactory<byte[], byte[]> producers;
    private final KafkaTemplate<byte[], byte[]> kafka;

    /** @param producerProperties the service's producer settings (bootstrap servers, security) */
    public KafkaDeadLetterPublisher(Map<String, Object> producerProperties) {
        Map<String, Object> config = new HashMap<>(producerProperties);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.producers = new DefaultKafkaProducerFactory<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        this.kafka = new KafkaTemplate<>(producers);
    }

    @Override
    public void publish(ProducerRecord<byte[], byte[]> deadLetter) {
        try {
            kafka.send(deadLetter).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while sending a dead letter to " + deadLetter.topic(), e);
        } catch (ExecutionException e) {
            throw new KafkaException("the dead letter for " + deadLetter.topic() + " was not acknowledged", e.getCause());
        }
    }

    @Override
    public void destroy() {
        producers.destroy();
    }
}
