package dev.streamfold.reconciliation.batch;

import io.micrometer.core.instrument.MeterRegistry;

import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.schemas.ReconciliationReport;
import dev.streamfold.schemas.WindowKey;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.MicrometerProducerListener;
import org.springframework.kafka.core.ProducerFactory;

@Configuration(proxyBeanMethods = false)
class ReportTemplateConfiguration {

    /** A bean of its own so that the context closes the producer on shutdown. */
    @Bean
    ProducerFactory<WindowKey, ReconciliationReport> reportProducerFactory(Topics topics, KafkaProperties kafka,
            MeterRegistry meterRegistry) {
        Topic<WindowKey, ReconciliationReport> reports = topics.reconciliationReports();
        // The registry serializers are configured already; re-configuring them with the producer's map would drop the registry settings.
        DefaultKafkaProducerFactory<WindowKey, ReconciliationReport> factory = new DefaultKafkaProducerFactory<>(
                kafka.buildProducerProperties(), reports.keySerde().serializer(), reports.valueSerde().serializer(), false);
        factory.addListener(new MicrometerProducerListener<>(meterRegistry));
        return factory;
    }

    @Bean
    KafkaTemplate<WindowKey, ReconciliationReport> reportTemplate(ProducerFactory<WindowKey, ReconciliationReport> reportProducerFactory) {
        return new KafkaTemplate<>(reportProducerFactory);
    }
}
