package dev.streamfold.enrichment.streams;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.config.StreamfoldProperties;
import dev.streamfold.common.deadletter.DeadLetterPublisher;
import dev.streamfold.common.deadletter.DeadLetterTopics;
import dev.streamfold.common.order.OrderRules;
import dev.streamfold.common.streams.BoundedRocksDbMemory;
import dev.streamfold.common.streams.ManagedKafkaStreams;
import dev.streamfold.common.streams.StreamsDefaults;
import dev.streamfold.common.topic.TopicSettings;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.common.tracing.RecordTracing;
import dev.streamfold.enrichment.join.EnrichmentTopology;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

@Configuration(proxyBeanMethods = false)
class EnrichmentStreamsConfiguration {

    @Bean
    Topology enrichmentTopology(Topics topics, EnrichmentProperties enrichment, OrderRules rules, RecordAccounting accounting,
            DeadLetterPublisher deadLetters, RecordTracing tracing) {
        return EnrichmentTopology.build(topics, enrichment.referenceWait(), enrichment.referenceHistory(), rules, accounting,
                deadLetters, tracing);
    }

    @Bean
    ManagedKafkaStreams enrichmentStreams(Topology enrichmentTopology, EnrichmentProperties enrichment, KafkaProperties kafka,
            StreamfoldProperties streamfold, RecordAccounting accounting, MeterRegistry meterRegistry,
            BoundedRocksDbMemory.Budget rocksDbMemory) {
        Properties properties = StreamsDefaults.forService(StreamsDefaults.exactlyOnce(enrichment.applicationId(),
                kafka.buildStreamsProperties(), enrichment.stateDir(), streamfold.topics().settings(),
                streamfold.streams().numStandbyReplicas(), accounting), streamfold.streams(), rocksDbMemory);
        properties.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, enrichment.maxTaskIdle().toMillis());
        return new ManagedKafkaStreams(enrichmentTopology, properties, meterRegistry, streamfold.streams().onThreadFailure());
    }

    /**
     * Created before the streams start (KafkaAdmin runs when the context is initialised): the topics this service
     * writes, and the dead-letter topic of each topic it reads or writes, derived from the topology so that none is
     * missing. The topics it reads are created by their writers (ingest); until they exist the stream threads retry.
     */
    @Bean
    KafkaAdmin.NewTopics enrichmentTopics(Topics topics, Topology enrichmentTopology, EnrichmentProperties enrichment,
            StreamfoldProperties streamfold) {
        TopicSettings settings = streamfold.topics().settings();
        List<NewTopic> created = new ArrayList<>(List.of(topics.ordersEnriched().newTopic(settings)));
        created.addAll(DeadLetterTopics.of(enrichmentTopology, enrichment.applicationId(), settings));
        return new KafkaAdmin.NewTopics(created.toArray(NewTopic[]::new));
    }

    /** Ready only while the client is RUNNING: not while it restores its stores or rebalances (the readiness group). */
    @Bean
    HealthIndicator enrichmentStreamsReadiness(ManagedKafkaStreams enrichmentStreams) {
        return enrichmentStreams.readiness();
    }
}
