package dev.streamfold.common.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** Settings every service shares; Kafka's bootstrap servers come from {@code spring.kafka.bootstrap-servers}. */
@Validated
@ConfigurationProperties("streamfold")
public record StreamfoldProperties(@NotNull @Valid Registry registry, @NotNull @Valid Topics topics) {

    /** @param url the registry's core API, e.g. {@code http://127.0.0.1:8081/apis/registry/v3} */
    public record Registry(@NotBlank String url) {
    }

    /**
     * @param prefix            put before every topic name (empty by default)
     * @param replicationFactor of every topic a service creates at start-up
     */
    public record Topics(@NotNull String prefix, @Min(1) short replicationFactor) {
    }
}
