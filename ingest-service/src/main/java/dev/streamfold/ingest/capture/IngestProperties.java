package dev.streamfold.ingest.capture;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the change capture.
 *
 * @param database        the shop's PostgreSQL; the user needs the REPLICATION privilege (a superuser in local runs)
 * @param slotName        logical replication slot, created on first start; it pins WAL until we have read it, and
 *                        it is cluster-wide, so two captures must never share one
 * @param publicationName pgoutput publication of the captured tables, created on first start
 * @param offsetsTopic    compacted topic of Debezium's source positions; empty means
 *                        {@code <streamfold.topics.prefix>streamfold.ingest.offsets}
 * @param heartbeatInterval how often the capture writes its heartbeat row (table {@code streamfold_heartbeat}, in the
 *                        publication): the slot then moves on while the captured tables are quiet, and the WAL that
 *                        other tables write is not pinned
 * @param slotCheckInterval how often the slot's retained WAL is measured (metric {@code streamfold_capture_slot_lag_bytes})
 */
@Validated
@ConfigurationProperties("ingest")
public record IngestProperties(
        @NotNull @Valid Database database,
        @DefaultValue("streamfold") @Pattern(regexp = "[a-z0-9_]{1,63}", message = "lower-case letters, digits and _ only") String slotName,
        @DefaultValue("streamfold") @NotBlank String publicationName,
        String offsetsTopic,
        @DefaultValue("10s") @NotNull Duration heartbeatInterval,
        @DefaultValue("15s") @NotNull Duration slotCheckInterval) {

    static final String DEFAULT_OFFSETS_TOPIC = "streamfold.ingest.offsets";

    String offsetsTopic(String topicPrefix) {
        return offsetsTopic == null || offsetsTopic.isBlank() ? topicPrefix + DEFAULT_OFFSETS_TOPIC : offsetsTopic;
    }

    public record Database(
            @NotBlank String host,
            @Min(1) @Max(65535) int port,
            @NotBlank String name,
            @NotBlank String user,
            @DefaultValue("") @NotNull String password) {
    }
}
