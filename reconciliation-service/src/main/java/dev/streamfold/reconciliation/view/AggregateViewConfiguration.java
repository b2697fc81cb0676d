package dev.streamfold.reconciliation.view;

import dev.streamfold.common.deadletter.DeadLetterRecoverers;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.reconciliation.ReconciliationProperties;
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.MicrometerConsumerListener;
import org.springframework.kafka.core.MicrometerProducerListener;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.support.TopicPartitionOffset;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;

/**
 * Keeps {@link AggregateView} up to date: one consumer reads every partition of {@code aggregates.total} from the
 * beginning (explicitly assigned, so that each instance sees all windows whatever the group's other members do),
 * and only committed records, since the aggregation writes them transactionally. A record it cannot read or
 * apply goes to the topic's dead-letter topic and consumption continues; a transient fault is retried until it passes.
 */
@Configuration(proxyBeanMethods = false)
class AggregateViewConfiguration {

    private static final Logger log = LoggerFactory.getLogger(AggregateViewConfiguration.class);

    @Bean
    KafkaMessageListenerContainer<WindowKey, WindowAggregate> aggregateViewContainer(Topics topics,
            KafkaProperties kafka, ReconciliationProperties properties, AggregateView view,
            KafkaTemplate<Object, Object> aggregateDeadLetterTemplate, MeterRegistry meterRegistry) {
        Topic<WindowKey, WindowAggregate> topic = topics.aggregates(AggregateView.SOURCE);
        ContainerProperties container = new ContainerProperties(fromTheBeginning(topic));
        container.setGroupId(properties.applicationId());
        container.setClientId(properties.applicationId() + "-aggregate-view");
        container.setMessageListener((MessageListener<WindowKey, WindowAggregate>) record ->
                view.apply(record.key(), record.value()));
        KafkaMessageListenerContainer<WindowKey, WindowAggregate> listener =
                new KafkaMessageListenerContainer<>(consumerFactory(topic, kafka, meterRegistry), container);
        listener.setCommonErrorHandler(DeadLetterRecoverers.errorHandler(
                loggingFirst(DeadLetterRecoverers.toDeadLetterTopics(aggregateDeadLetterTemplate, properties.applicationId()))));
        return listener;
    }

    private static ConsumerRecordRecoverer loggingFirst(ConsumerRecordRecoverer recoverer) {
        return (record, error) -> {
            log.warn("Cannot apply {}-{}@{}, sending it to {}: {}", record.topic(), record.partition(), record.offset(),
                    Topic.deadLetterTopicName(record.topic()), NestedExceptionUtils.getMostSpecificCause(error).toString());
            recoverer.accept(record, error);
        };
    }

    /** A bean of its own so that the context closes the producer on shutdown. */
    @Bean
    ProducerFactory<Object, Object> aggregateDeadLetterProducerFactory(Topics topics, KafkaProperties kafka,
            MeterRegistry meterRegistry) {
        Topic<WindowKey, WindowAggregate> topic = topics.aggregates(AggregateView.SOURCE);
        DefaultKafkaProducerFactory<Object, Object> factory = new DefaultKafkaProducerFactory<>(kafka.buildProducerProperties(),
                new DeadLetterSerializer<>(WindowKey.class, topic.keySerde().serializer()),
                new DeadLetterSerializer<>(WindowAggregate.class, topic.valueSerde().serializer()),
                false);
        factory.addListener(new MicrometerProducerListener<>(meterRegistry));
        return factory;
    }

    @Bean
    KafkaTemplate<Object, Object> aggregateDeadLetterTemplate(ProducerFactory<Object, Object> aggregateDeadLetterProducerFactory) {
        return new KafkaTemplate<>(aggregateDeadLetterProducerFactory);
    }

    private static TopicPartitionOffset[] fromTheBeginning(Topic<?, ?> topic) {
        return IntStream.range(0, topic.partitions())
                .mapToObj(partition -> new TopicPartitionOffset(topic.name(), partition, TopicPartitionOffset.SeekPosition.BEGINNING))
                .toArray(TopicPartitionOffset[]::new);
    }

    private static DefaultKafkaConsumerFactory<WindowKey, WindowAggregate> consumerFactory(
            Topic<WindowKey, WindowAggregate> topic, KafkaProperties kafka, MeterRegistry meterRegistry) {
        Map<String, Object> config = kafka.buildConsumerProperties();
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        ErrorHandlingDeserializer<WindowKey> keys = new ErrorHandlingDeserializer<>(topic.keySerde().deserializer());
        keys.setForKey(true);
        ErrorHandlingDeserializer<WindowAggregate> values = new ErrorHandlingDeserializer<>(topic.valueSerde().deserializer());
        // The registry deserializers are configured already; re-configuring them with the consumer's map would drop the registry settings.
        DefaultKafkaConsumerFactory<WindowKey, WindowAggregate> factory =
                new DefaultKafkaConsumerFactory<>(config, keys, values, false);
        // The consumer's own metrics (kafka_consumer_*: lag, fetch rates) in /actuator/prometheus.
        factory.addListener(new MicrometerConsumerListener<>(meterRegistry));
        return factory;
    }
}
