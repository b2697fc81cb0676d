package dev.streamfold.aggregation;

import dev.streamfold.aggregation.window.AggregationTopology;
import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.config.StreamfoldProperties;
import dev.streamfold.common.order.OrderRules;
import dev.streamfold.common.serde.SerdeFactory;
import dev.streamfold.common.streams.BoundedRocksDbMemory;
import dev.streamfold.common.streams.ManagedKafkaStreams;
import dev.streamfold.common.streams.StreamsDefaults;
import dev.streamfold.common.deadletter.DeadLetterTopics;
import dev.streamfold.common.topic.TopicSettings;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.common.tracing.RecordTracing;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.Topology;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

/** Wires the aggregation topology into a managed, exactly-once Kafka Streams instance. */
@Configuration(proxyBeanMethods = false)
class AggregationStreamsConfiguration {

    @Bean
    Topology aggregationTopology(Topics topics, SerdeFactory serdes, AggregationProperties aggregation,
            StreamfoldProperties streamfold, OrderRules orderRules, RecordAccounting accounting, RecordTracing tracing) {
        return AggregationTopology.build(topics, serdes, aggregation.windows(streamfold.windows()), streamfold.aggregates(),
                orderRules, accounting, aggregation.flushing(), tracing);
    }

    /**
     * KafkaAdmin creates these before any lifecycle bean starts: the topics this service writes, and the dead-letter
     * topic of each topic it reads or writes, its own repartition topic included (a delta the final stage fails on is
     * dead-lettered there), derived from the topology so that none is missing. {@code orders.enriched} is
     * enrichment's to create; until it exists the stream threads retry.
     */
    @Bean
    KafkaAdmin.NewTopics aggregationTopics(Topics topics, Topology aggregationTopology, StreamfoldProperties streamfold,
            AggregationProperties aggregation) {
        TopicSettings settings = streamfold.topics().settings();
        List<NewTopic> created = new ArrayList<>();
        created.add(topics.ordersLate().newTopic(settings));
        AggregationTopology.outputs(streamfold.aggregates()).forEach(output -> created.add(topics.aggregates(output).newTopic(settings)));
        if (streamfold.aggregates().customerLifetime()) {
            created.add(topics.customerLifetimes().newTopic(settings));
        }
        created.addAll(DeadLetterTopics.of(aggregationTopology, aggregation.applicationId(), settings));
        return new KafkaAdmin.NewTopics(created.toArray(NewTopic[]::new));
    }

    @Bean
    ManagedKafkaStreams aggregationStreams(Topology aggregationTopology, AggregationProperties aggregation,
            RecordAccounting accounting, StreamfoldProperties streamfold, KafkaProperties kafka, MeterRegistry meterRegistry,
            BoundedRocksDbMemory.Budget rocksDbMemory) {
        Properties properties = StreamsDefaults.forService(StreamsDefaults.exactlyOnce(aggregation.applicationId(),
                kafka.buildStreamsProperties(), aggregation.stateDir(), streamfold.topics().settings(),
                streamfold.streams().numStandbyReplicas(), accounting), streamfold.streams(), rocksDbMemory);
        return new ManagedKafkaStreams(aggregationTopology, properties, meterRegistry, streamfold.streams().onThreadFailure());
    }

    /** Ready only while the client is RUNNING: not while it restores its stores or rebalances (the readiness group). */
    @Bean
    HealthIndicator aggregationStreamsReadiness(ManagedKafkaStreams aggregationStreams) {
        return aggregationStreams.readiness();
    }
}
