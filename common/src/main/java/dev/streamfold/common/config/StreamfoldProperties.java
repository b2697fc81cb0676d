package dev.streamfold.common.config;

import dev.streamfold.common.order.OrderRules;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.time.Instant;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** Settings every service shares; Kafka's bootstrap servers come from {@code spring.kafka.bootstrap-servers}. */
@Validated
@ConfigurationProperties("streamfold")
public record StreamfoldProperties(@NotNull @Valid Registry registry, @NotNull @Valid Topics topics,
        @DefaultValue @NotNull @Valid Orders orders) {

    /**
     * The bounds of {@link OrderRules}, the same in every service.
     *
     * @param maxEventTimeAhead how far in the future (of the validating service's clock) an order's event time may be
     * @param earliestEventTime the earliest event time accepted
     */
    public record Orders(@DefaultValue("PT1H") @NotNull Duration maxEventTimeAhead,
            @DefaultValue("2000-01-01T00:00:00Z") @NotNull Instant earliestEventTime) {

        public OrderRules rules() {
            return new OrderRules(maxEventTimeAhead, earliestEventTime);
        }
    }

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
