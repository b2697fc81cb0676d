package dev.streamfold.common.config;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.deadletter.DeadLetterPublisher;
import dev.streamfold.common.deadletter.KafkaDeadLetterPublisher;
import dev.streamfold.common.order.OrderRules;
import dev.streamfold.common.serde.RegistrySerdeFactory;
import dev.streamfold.common.serde.SerdeFactory;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.common.tracing.RecordTracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.tracing.propagation.Propagator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import dev.streamfold.common.streams.BoundedRocksDbMemory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Lazy;
import org.springframework.core.env.Environment;

/** Gives every service the registry-backed serdes, the topic declarations, the order rule and record accounting. */
@AutoConfiguration
@EnableConfigurationProperties(StreamfoldProperties.class)
public class StreamfoldAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    SerdeFactory serdeFactory(StreamfoldProperties properties) {
        return new RegistrySerdeFactory(properties.registry().url());
    }

    /** The one order rule, with the bounds every service reads from {@code streamfold.orders.*}. */
    @Bean
    @ConditionalOnMissingBean
    OrderRules orderRules(StreamfoldProperties properties) {
        return properties.orders().rules();
    }

    /** Named after {@code spring.application.name}, the service tag of every record count. */
    @Bean
    @ConditionalOnMissingBean
    RecordAccounting recordAccounting(ObjectProvider<MeterRegistry> meterRegistry, Environment environment) {
        return new RecordAccounting(meterRegistry.getIfAvailable(SimpleMeterRegistry::new),
                environment.getProperty("spring.application.name", "streamfold"));
    }

    /**
     * Every meter of the service carries {@code application=<spring.application.name>}: what the dashboards and alerts
     * group by (Prometheus renames a meter's own {@code service} label when the scrape target has one).
     */
    @Bean
    MeterFilter streamfoldApplicationTag(Environment environment) {
        return MeterFilter.commonTags(Tags.of("application", environment.getProperty("spring.application.name", "streamfold")));
    }

    /** For dead letters sent outside any Kafka Streams task (global-store processors). */
    @Bean
    @ConditionalOnMissingBean
    DeadLetterPublisher deadLetterPublisher(KafkaProperties kafka) {
        return new KafkaDeadLetterPublisher(kafka.buildProducerProperties());
    }

    /** Continues each order's trace through Kafka Streams stages; off where no tracing is configured. */
    @Bean
    @ConditionalOnMissingBean
    RecordTracing recordTracing(ObjectProvider<Propagator> propagator) {
        return propagator.stream().findFirst().map(RecordTracing::new).orElseGet(RecordTracing::off);
    }

    /** Created only for a service that runs Kafka Streams (it asks for it); closed after its Kafka Streams. */
    @Bean
    @Lazy
    @ConditionalOnMissingBean
    BoundedRocksDbMemory.Budget rocksDbMemory(StreamfoldProperties properties) {
        return new BoundedRocksDbMemory.Budget(properties.streams().rocksdbMemory().toBytes());
    }

    @Bean
    @ConditionalOnMissingBean
    Topics topics(SerdeFactory serdeFactory, StreamfoldProperties properties) {
        return new Topics(serdeFactory, properties.topics().prefix());
    }
}
