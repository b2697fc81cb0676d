package dev.streamfold.ingest.capture;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.config.StreamfoldProperties;
import dev.streamfold.common.order.OrderRules;
import dev.streamfold.common.topic.TopicSettings;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.ingest.mapping.ChangeEventMapper;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.MicrometerProducerListener;
import org.springframework.kafka.core.ProducerFactory;

/** Wires the Debezium engine to an idempotent Kafka producer and creates the topics it writes. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(IngestProperties.class)
class CaptureConfiguration {

    /** Records are serialized with the topic descriptors' serdes before sending, so one byte-level producer serves every topic. */
    @Bean
    ProducerFactory<byte[], byte[]> ingestProducerFactory(KafkaProperties kafka, MeterRegistry meterRegistry) {
        Map<String, Object> config = new HashMap<>(kafka.buildProducerProperties());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        DefaultKafkaProducerFactory<byte[], byte[]> factory =
                new DefaultKafkaProducerFactory<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        // The producer's own metrics (kafka_producer_*: record errors, request latency, buffer) in /actuator/prometheus.
        factory.addListener(new MicrometerProducerListener<>(meterRegistry));
        return factory;
    }

    @Bean
    KafkaTemplate<byte[], byte[]> ingestKafkaTemplate(ProducerFactory<byte[], byte[]> ingestProducerFactory) {
        KafkaTemplate<byte[], byte[]> template = new KafkaTemplate<>(ingestProducerFactory);
        // Each published change starts a trace: its W3C context goes in the record's traceparent header, which
        // enrichment and aggregation continue (RecordTracing), so one order's journey is one trace.
        template.setObservationEnabled(true);
        return template;
    }

    /** The topics this service writes, and the dead-letter topic of each. */
    @Bean
    KafkaAdmin.NewTopics ingestTopics(Topics topics, StreamfoldProperties streamfold) {
        TopicSettings settings = streamfold.topics().settings();
        return new KafkaAdmin.NewTopics(
                topics.customers().newTopic(settings), topics.customers().newDeadLetterTopic(settings),
                topics.products().newTopic(settings), topics.products().newDeadLetterTopic(settings),
                topics.orders().newTopic(settings), topics.orders().newDeadLetterTopic(settings));
    }

    @Bean
    CaptureHealthIndicator captureHealthIndicator() {
        return new CaptureHealthIndicator();
    }

    @Bean
    ReplicationSlot replicationSlot(IngestProperties ingest) {
        return new ReplicationSlot(ingest);
    }

    @Bean
    CaptureMetrics captureMetrics(MeterRegistry meterRegistry, IngestProperties ingest) {
        return new CaptureMetrics(meterRegistry, ingest.slotName());
    }

    @Bean
    SlotMonitor slotMonitor(ReplicationSlot replicationSlot, CaptureMetrics captureMetrics, IngestProperties ingest) {
        return new SlotMonitor(replicationSlot, captureMetrics, ingest.slotCheckInterval());
    }

    /**
     * Orders are judged by the shared rule (and the system clock) that judges directly published orders too. A capture
     * whose slot is gone fails for good and breaks liveness: restarting the service would not bring the slot back.
     */
    @Bean
    ChangeCaptureEngine changeCaptureEngine(IngestProperties ingest, StreamfoldProperties streamfold, KafkaProperties kafka,
            Topics topics, OrderRules orderRules, RecordAccounting accounting, KafkaTemplate<byte[], byte[]> ingestKafkaTemplate,
            CaptureHealthIndicator health, ReplicationSlot replicationSlot, CaptureMetrics captureMetrics,
            ApplicationEventPublisher events) {
        String offsetsTopic = ingest.offsetsTopic(streamfold.topics().prefix());
        Properties settings = DebeziumSettings.withKafkaSecurity(DebeziumSettings.of(ingest,
                String.join(",", kafka.getBootstrapServers()), offsetsTopic,
                streamfold.topics().replicationFactor()), kafka.buildAdminProperties());
        ChangeEventMapper mapper = new ChangeEventMapper(topics, orderRules, InstantSource.system());
        ChangeBatchPublisher publisher = new ChangeBatchPublisher(mapper, ingestKafkaTemplate, new DeadLetterRecords(), accounting);
        CaptureGuard guard = new CaptureGuard(replicationSlot, new CommittedPosition(kafka.buildConsumerProperties(), offsetsTopic));
        return new ChangeCaptureEngine(settings, publisher, health, RestartBackoff.DEFAULT, guard, captureMetrics,
                () -> AvailabilityChangeEvent.publish(events, health, LivenessState.BROKEN));
    }
}
