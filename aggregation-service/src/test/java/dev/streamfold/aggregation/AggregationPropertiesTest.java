package dev.streamfold.aggregation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamfold.common.config.StreamfoldProperties;
import dev.streamfold.aggregation.window.FlushSettings;
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
    void shouldFlushEveryIntervalAndNeverCountAPartitionIdleUnlessAsked() {
        // Given the defaults, When the flush settings are made, Then 100 ms live, 1 s catching up, never idle
        context.withPropertyValues("aggregation.window-retention=P1D").run(started -> {
            FlushSettings flushing = started.getBean(AggregationProperties.class).flushing();
            assertThat(flushing).isEqualTo(new FlushSettings(Duration.ofMillis(100), Duration.ofSeconds(1),
                    FlushSettings.NEVER_IDLE));
        });
        // Given an idle timeout, Then it is used
        context.withPropertyValues("aggregation.window-retention=P1D", "aggregation.idle-partition-timeout=PT5M")
                .run(started -> assertThat(started.getBean(AggregationProperties.class).flushing().idlePartitionTimeout())
                        .isEqualTo(Duration.ofMinutes(5)));
    }

    @Test
    void shouldRefuseACatchUpFlushIntervalShorterThanTheFlushInterval() {
        // Given a catch-up interval shorter than the flush interval, When bound, Then the context fails
        context.withPropertyValues("aggregation.window-retention=P1D", "aggregation.flush-interval=PT2S",
                "aggregation.catch-up-flush-interval=PT1S").run(started -> assertThat(started).hasFailed());
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
