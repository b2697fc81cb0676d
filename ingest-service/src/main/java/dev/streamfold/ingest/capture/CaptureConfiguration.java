package dev.streamfold.ingest.capture;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.config.StreamfoldProperties;
import dev.streamfold.common.order.OrderRules;
import dev.streamfold.common.topic.TopicSettings;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.ingest.mapping.ChangeEventMapper;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;

/** Wires the Debezium engine to an idempotent Kafka producer and creates the topics it writes. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(IngestProperties.class)
class CaptureConfiguration {

    /** Records are serialized with the topic descriptors' serdes before sending, so one byte-level producer serves every topic. */
    @Bean
    ProducerFactory<byte[], byte[]> ingestProducerFactory(KafkaProperties kafka) {
        Map<String, Object> config = new HashMap<>(kafka.buildProducerProperties());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new DefaultKafkaProducerFactory<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Bean
    KafkaTemplate<byte[], byte[]> ingestKafkaTemplate(ProducerFactory<byte[], byte[]> ingestProducerFactory) {
        return new KafkaTemplate<>(ingestProducerFactory);
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

    /** Orders are judged by the shared rule (and the system clock) that judges directly published orders too. */
    @Bean
    ChangeCaptureEngine changeCaptureEngine(IngestProperties ingest, StreamfoldProperties streamfold, KafkaProperties kafka,
            Topics topics, OrderRules orderRules, RecordAccounting accounting, KafkaTemplate<byte[], byte[]> ingestKafkaTemplate,
            CaptureHealthIndicator health) {
        Properties settings = DebeziumSettings.withKafkaSecurity(DebeziumSettings.of(ingest,
                String.join(",", kafka.getBootstrapServers()), ingest.offsetsTopic(streamfold.topics().prefix()),
                streamfold.topics().replicationFactor()), kafka.buildAdminProperties());
        ChangeEventMapper mapper = new ChangeEventMapper(topics, orderRules, InstantSource.system());
        ChangeBatchPublisher publisher = new ChangeBatchPublisher(mapper, ingestKafkaTemplate, new DeadLetterRecords(), accounting);
        return new ChangeCaptureEngine(settings, publisher, health);
    }
}
