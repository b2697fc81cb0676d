package dev.streamfold.aggregation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamfold.common.config.StreamfoldProperties;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

class AggregationPropertiesTest {

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(PropertiesOnly.class)
            .withPropertyValues("aggregation.application-id=test", "aggregation.state-dir=/tmp/test");
    /** streamfold.windows.* as every service gets them: one-minute windows, one minute of grace. */
    private static final StreamfoldProperties.Windows SHARED = new StreamfoldProperties.Windows(Duration.ofMinutes(1),
            Duration.ofMinutes(1), StreamfoldProperties.Hopping.defaults());

    @Test
    void shouldBindTheWindowRetention() {
        // Given a retention in ISO-8601
        // When the properties are bound
        // Then the window settings carry it
        context.withPropertyValues("aggregation.window-retention=P2D").run(started -> {
            assertThat(started).hasNotFailed();
            assertThat(started.getBean(AggregationProperties.class).windows(SHARED).retention()).isEqualTo(Duration.ofDays(2));
        });
    }

    @Test
    void shouldRefuseARetentionShorterThanTheSharedWindowSizePlusGrace() {
        // Given a retention of one minute for the shared one-minute windows with one minute of grace
        // When the window settings are made from them
        // Then they are refused, naming both settings
        context.withPropertyValues("aggregation.window-retention=PT1M").run(started -> {
            assertThat(started).hasNotFailed();
            assertThatThrownBy(() -> started.getBean(AggregationProperties.class).windows(SHARED))
                    .hasMessageContaining("aggregation.window-retention").hasMessageContaining("streamfold.windows.size");
        });
    }

    @Test
    void shouldRefuseAMissingRetention() {
        // Given no retention at all (application.yml gives P1D)
        // When the properties are bound
        // Then start-up fails
        context.run(started -> assertThat(started).hasFailed());
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(AggregationProperties.class)
    static class PropertiesOnly {
    }
}
