package dev.streamfold.enrichment.streams;

import dev.streamfold.common.config.StreamfoldProperties;
import dev.streamfold.common.streams.ManagedKafkaStreams;
import dev.streamfold.common.streams.StreamsDefaults;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.enrichment.join.EnrichmentTopology;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

@Configuration(proxyBeanMethods = false)
class EnrichmentStreamsConfiguration {

    @Bean
    ManagedKafkaStreams enrichmentStreams(Topics topics, EnrichmentProperties enrichment, KafkaProperties kafka,
            StreamfoldProperties streamfold, MeterRegistry meterRegistry) {
        Properties properties = StreamsDefaults.exactlyOnce(enrichment.applicationId(),
                String.join(",", kafka.getBootstrapServers()), enrichment.stateDir(),
                streamfold.topics().replicationFactor());
        properties.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, enrichment.maxTaskIdle().toMillis());
        return new ManagedKafkaStreams(EnrichmentTopology.build(topics, enrichment.referenceWait()), properties, meterRegistry);
    }

    /**
     * Created before the streams start (KafkaAdmin runs when the context is initialised). Besides the orders'
     * dead letters, customers and products records that cannot be deserialized are dead-lettered here too.
     */
    @Bean
    KafkaAdmin.NewTopics enrichmentTopics(Topics topics, StreamfoldProperties streamfold) {
        short replicationFactor = streamfold.topics().replicationFactor();
        return new KafkaAdmin.NewTopics(
                topics.orders().newTopic(replicationFactor),
                topics.customers().newTopic(replicationFactor),
                topics.products().newTopic(replicationFactor),
                topics.ordersEnriched().newTopic(replicationFactor),
                topics.orders().newDeadLetterTopic(replicationFactor),
                topics.customers().newDeadLetterTopic(replicationFactor),
                topics.products().newDeadLetterTopic(replicationFactor));
    }
}
