package dev.streamfold.aggregation;

import dev.streamfold.aggregation.category.CategoryAggregationTopology;
import dev.streamfold.common.config.StreamfoldProperties;
import dev.streamfold.common.serde.SerdeFactory;
import dev.streamfold.common.streams.ManagedKafkaStreams;
import dev.streamfold.common.streams.StreamsDefaults;
import dev.streamfold.common.topic.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Properties;
import org.apache.kafka.streams.Topology;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

/** Wires the category topology into a managed, exactly-once Kafka Streams instance. */
@Configuration(proxyBeanMethods = false)
class AggregationStreamsConfiguration {

    /** KafkaAdmin creates these before any lifecycle bean starts, so the topology never waits for its topics. */
    @Bean
    KafkaAdmin.NewTopics aggregationTopics(Topics topics, StreamfoldProperties streamfold) {
        short replicationFactor = streamfold.topics().replicationFactor();
        return new KafkaAdmin.NewTopics(
                topics.ordersEnriched().newTopic(replicationFactor),
                topics.ordersEnriched().newDeadLetterTopic(replicationFactor),
                topics.categoryAggregates().newTopic(replicationFactor));
    }

    @Bean
    ManagedKafkaStreams categoryAggregationStreams(Topics topics, SerdeFactory serdes, AggregationProperties aggregation,
            StreamfoldProperties streamfold, KafkaProperties kafka, MeterRegistry meterRegistry) {
        Topology topology = CategoryAggregationTopology.build(topics, serdes, aggregation.windows());
        Properties properties = StreamsDefaults.exactlyOnce(aggregation.applicationId(),
                String.join(",", kafka.getBootstrapServers()), aggregation.stateDir(),
                streamfold.topics().replicationFactor());
        return new ManagedKafkaStreams(topology, properties, meterRegistry);
    }
}
