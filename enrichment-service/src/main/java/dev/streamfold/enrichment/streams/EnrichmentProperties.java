package dev.streamfold.enrichment.streams;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * @param applicationId Kafka Streams application id: consumer group, transactional id and internal topic prefix
 * @param stateDir      where RocksDB keeps the customers table (one directory per instance)
 * @param maxTaskIdle   how long a task waits for an empty input partition before processing the others, so that a
 *                      customer change is joined before orders with later timestamps (Kafka's {@code max.task.idle.ms})
 */
@Validated
@ConfigurationProperties("enrichment")
record EnrichmentProperties(@NotBlank String applicationId, @NotBlank String stateDir, @NotNull Duration maxTaskIdle) {
}
