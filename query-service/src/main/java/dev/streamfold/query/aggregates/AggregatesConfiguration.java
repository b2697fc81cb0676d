package dev.streamfold.query.aggregates;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.config.StreamfoldProperties;
import dev.streamfold.common.streams.BoundedRocksDbMemory;
import dev.streamfold.common.streams.ManagedKafkaStreams;
import dev.streamfold.common.streams.StreamsDefaults;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.TopicSettings;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.query.QueryProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.StreamsConfig;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

/** Wires the aggregates topology, the dead-letter topics of what it reads, and the readers the REST API queries. */
@Configuration(proxyBeanMethods = false)
class AggregatesConfiguration {

    @Bean
    ServedAggregates servedAggregates(StreamfoldProperties streamfold) {
        return ServedAggregates.of(streamfold);
    }

    /** The aggregate topics are aggregation's to create; their dead-letter topics are ours to write. */
    @Bean
    KafkaAdmin.NewTopics aggregatesDeadLetterTopics(Topics topics, ServedAggregates served,
            StreamfoldProperties streamfold) {
        TopicSettings settings = streamfold.topics().settings();
        List<NewTopic> deadLetterTopics = new ArrayList<>();
        for (AggregateStream stream : served.streams()) {
            deadLetterTopics.add(topics.aggregates(stream).newDeadLetterTopic(settings));
        }
        if (served.customerLifetime()) {
            Topic<?, ?> lifetimes = topics.customerLifetimes();
            deadLetterTopics.add(lifetimes.newDeadLetterTopic(settings));
        }
        return new KafkaAdmin.NewTopics(deadLetterTopics.toArray(NewTopic[]::new));
    }

    @Bean
    ManagedKafkaStreams aggregatesStreams(Topics topics, ServedAggregates served, QueryProperties query,
            StreamfoldProperties streamfold, KafkaProperties kafka, RecordAccounting accounting,
            MeterRegistry meterRegistry, BoundedRocksDbMemory.Budget rocksDbMemory) {
        Properties settings = StreamsDefaults.forService(StreamsDefaults.exactlyOnce(query.applicationId(),
                kafka.buildStreamsProperties(), query.stateDir(), streamfold.topics().settings(),
                streamfold.streams().numStandbyReplicas(), accounting), streamfold.streams(), rocksDbMemory);
        if (!query.applicationServer().isBlank()) {
            // Where other instances reach this one for the keys it owns (interactive-query routing).
            settings.put(StreamsConfig.APPLICATION_SERVER_CONFIG, query.applicationServer());
        }
        return new ManagedKafkaStreams(
                AggregatesTopology.build(topics, served, query.retentionFor(served.longestWindow()), accounting),
                settings, meterRegistry, streamfold.streams().onThreadFailure());
    }

    @Bean
    InteractiveQueries interactiveQueries(ManagedKafkaStreams aggregatesStreams) {
        return new InteractiveQueries(aggregatesStreams.kafkaStreams());
    }

    @Bean
    WindowsReader windowsReader(InteractiveQueries interactiveQueries, Topics topics) {
        return new WindowsReader(interactiveQueries, topics);
    }

    @Bean
    CustomerLifetimeReader customerLifetimeReader(InteractiveQueries interactiveQueries, Topics topics) {
        return new CustomerLifetimeReader(interactiveQueries, topics.customerLifetimes().partitions());
    }

    /** The wall clock of this instance: default ranges and the windows' lifecycle states are judged by it. */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** Ready only while the client is RUNNING: not while it restores its stores or rebalances (the readiness group). */
    @Bean
    HealthIndicator aggregatesStreamsReadiness(ManagedKafkaStreams aggregatesStreams) {
        return aggregatesStreams.readiness();
    }
}
