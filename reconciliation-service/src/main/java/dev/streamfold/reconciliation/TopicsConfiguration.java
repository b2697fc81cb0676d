package dev.streamfold.reconciliation;

import dev.streamfold.common.config.StreamfoldProperties;
import dev.streamfold.common.topic.TopicSettings;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.reconciliation.view.AggregateView;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * The topics this service writes, created at start-up: its reports, and the dead letters of the aggregates it reads
 * ({@code aggregates.total.dlq}). The aggregates topic itself is aggregation's to create.
 */
@Configuration(proxyBeanMethods = false)
class TopicsConfiguration {

    @Bean
    KafkaAdmin.NewTopics reconciliationTopics(Topics topics, StreamfoldProperties streamfold) {
        TopicSettings settings = streamfold.topics().settings();
        return new KafkaAdmin.NewTopics(
                topics.aggregates(AggregateView.SOURCE).newDeadLetterTopic(settings),
                topics.reconciliationReports().newTopic(settings));
    }
}
