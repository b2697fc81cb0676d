package dev.streamfold.common.config;

import dev.streamfold.common.serde.RegistrySerdeFactory;
import dev.streamfold.common.serde.SerdeFactory;
import dev.streamfold.common.topic.Topics;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/** Gives every service the registry-backed serdes and the topic declarations. */
@AutoConfiguration
@EnableConfigurationProperties(StreamfoldProperties.class)
public class StreamfoldAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    SerdeFactory serdeFactory(StreamfoldProperties properties) {
        return new RegistrySerdeFactory(properties.registry().url());
    }

    @Bean
    @ConditionalOnMissingBean
    Topics topics(SerdeFactory serdeFactory, StreamfoldProperties properties) {
        return new Topics(serdeFactory, properties.topics().prefix());
    }
}
