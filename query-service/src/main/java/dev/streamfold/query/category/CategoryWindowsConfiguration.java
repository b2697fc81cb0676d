package dev.streamfold.query.category;

import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.config.StreamfoldProperties;
import dev.streamfold.common.streams.ManagedKafkaStreams;
import dev.streamfold.common.streams.StreamsDefaults;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.TopicSettings;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.query.QueryProperties;
import dev.streamfold.query.category.CategoryWindowsTopology.StoreSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

/** Wires the category-windows topology, its topics and the reader the REST API queries. */
@Configuration(proxyBeanMethods = false)
class CategoryWindowsConfiguration {

    /** The aggregate topic is aggregation's to create; its dead-letter topic is ours to write. */
    @Bean
    KafkaAdmin.NewTopics categoryWindowsTopics(Topics topics, StreamfoldProperties streamfold) {
        TopicSettings settings = streamfold.topics().settings();
        Topic<?, ?> aggregates = topics.aggregates(AggregateStream.live(Dimension.CATEGORY));
        return new KafkaAdmin.NewTopics(aggregates.newDeadLetterTopic(settings));
    }

    @Bean
    ManagedKafkaStreams categoryWindowsStreams(Topics topics, QueryProperties query, StreamfoldProperties streamfold,
            KafkaProperties kafka, RecordAccounting accounting, MeterRegistry meterRegistry) {
        Properties settings = StreamsDefaults.exactlyOnce(query.applicationId(), kafka.buildStreamsProperties(),
                query.stateDir(), streamfold.topics().settings(), streamfold.streams().numStandbyReplicas(), accounting);
        if (!query.applicationServer().isBlank()) {
            // Where other instances reach this one for the keys it owns (interactive-query routing).
            settings.put(StreamsConfig.APPLICATION_SERVER_CONFIG, query.applicationServer());
        }
        return new ManagedKafkaStreams(
                CategoryWindowsTopology.build(topics, new StoreSettings(streamfold.windows().size(),
                        query.retentionFor(streamfold.windows().size())), accounting),
                settings, meterRegistry, streamfold.streams().onThreadFailure());
    }

    @Bean
    CategoryWindowsReader categoryWindowsReader(ManagedKafkaStreams categoryWindowsStreams, Topics topics) {
        return new CategoryWindowsReader(categoryWindowsStreams.kafkaStreams(), topics.aggregates(AggregateStream.live(Dimension.CATEGORY)).partitions());
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** Ready only while the client is RUNNING: not while it restores its stores or rebalances (the readiness group). */
    @Bean
    HealthIndicator categoryWindowsStreamsReadiness(ManagedKafkaStreams categoryWindowsStreams) {
        return categoryWindowsStreams.readiness();
    }
}
