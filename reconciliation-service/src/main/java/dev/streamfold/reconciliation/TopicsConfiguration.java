package dev.streamfold.reconciliation;

import dev.streamfold.common.config.StreamfoldProperties;
import dev.streamfold.common.topic.Topics;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

/** The topics this service reads and writes (and the dead-letter topic it writes), created at start-up. */
@Configuration(proxyBeanMethods = false)
class TopicsConfiguration {

    @Bean
    KafkaAdmin.NewTopics reconciliationTopics(Topics topics, StreamfoldProperties streamfold) {
        short replicationFactor = streamfold.topics().replicationFactor();
        return new KafkaAdmin.NewTopics(
                topics.categoryAggregates().newTopic(replicationFactor),
                topics.categoryAggregates().newDeadLetterTopic(replicationFactor),
                topics.reconciliationReports().newTopic(replicationFactor));
    }
}
