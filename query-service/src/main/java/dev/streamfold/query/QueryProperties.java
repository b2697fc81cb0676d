package dev.streamfold.query;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param applicationId Kafka Streams application id (consumer group, prefix of internal topics)
 * @param stateDir      where the stores' RocksDB files live
 * @param retention     how long a window stays queryable, counted back from the newest window of its store
 * @param maxRange      longest {@code from}..{@code to} range one request may ask for
 * @param applicationServer host:port where other instances reach this one's REST API for the keys it owns (Kafka
 *                      Streams' {@code application.server}); empty for a single instance. In Kubernetes, the pod's
 *                      stable DNS name behind the headless service
 */
@Validated
@ConfigurationProperties("query")
public record QueryProperties(
        @NotBlank String applicationId,
        @NotBlank String stateDir,
        @NotNull @DurationMin(millis = 1) Duration retention,
        @NotNull @DurationMin(millis = 1) Duration maxRange,
        @DefaultValue("") @NotNull @Pattern(regexp = "|[^:\\s]+:\\d{1,5}", message = "must be host:port") String applicationServer) {

    /**
     * The window stores' retention, for the longest window served ({@code streamfold.windows.size}, or
     * {@code streamfold.windows.hopping.size} if hopping windows are served): each store keeps at least one window.
     */
    public Duration retentionFor(Duration longestWindow) {
        if (retention.compareTo(longestWindow) < 0) {
            throw new IllegalStateException("query.retention " + retention + " must be at least the longest window served, "
                    + longestWindow);
        }
        return retention;
    }
}
