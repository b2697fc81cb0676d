package dev.streamfold.enrichment.streams;

import dev.streamfold.enrichment.join.ReferenceWait;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * @param applicationId          Kafka Streams application id: consumer group, transactional id and internal topic
 *                               prefix
 * @param stateDir               where RocksDB keeps the customers table and the waiting orders (one directory per
 *                               instance)
 * @param maxTaskIdle            how long a task waits for an empty input partition before processing the others, so
 *                               that a customer change is joined before orders with later timestamps (Kafka's
 *                               {@code max.task.idle.ms})
 * @param maxReferenceWait       how long an order waits for a customer or product that has not arrived yet before it
 *                               is dead-lettered
 * @param referenceRetryInterval how often waiting orders look for their customer and product again
 */
@Validated
@ConfigurationProperties("enrichment")
record EnrichmentProperties(@NotBlank String applicationId, @NotBlank String stateDir, @NotNull Duration maxTaskIdle,
        @NotNull @DurationMin(millis = 1) Duration maxReferenceWait,
        @NotNull @DurationMin(millis = 1) Duration referenceRetryInterval) {

    ReferenceWait referenceWait() {
        return new ReferenceWait(maxReferenceWait, referenceRetryInterval);
    }
}
