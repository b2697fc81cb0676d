package dev.streamfold.enrichment.streams;

import dev.streamfold.enrichment.join.ReferenceWait;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
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
 * @param maxAwaitingOrders      how many orders may wait for references in one task; beyond it the oldest waiting
 *                               order is dead-lettered
 * @param maxAwaitingBytes       how many bytes the waiting orders of one task may take in its store
 * @param referenceHistory       how far back, in event time from the newest version read, superseded customer and
 *                               product versions are kept; an order placed before that is joined with what is left.
 *                               Rows read by a snapshot are valid from the start of time (1970), so the default keeps
 *                               all of it
 */
@Validated
@ConfigurationProperties("enrichment")
record EnrichmentProperties(@NotBlank String applicationId, @NotBlank String stateDir, @NotNull Duration maxTaskIdle,
        @NotNull @DurationMin(millis = 1) Duration maxReferenceWait,
        @NotNull @DurationMin(millis = 1) Duration referenceRetryInterval,
        @Positive long maxAwaitingOrders,
        @NotNull DataSize maxAwaitingBytes,
        @NotNull @DurationMin(days = 1) Duration referenceHistory) {

    @AssertTrue(message = "enrichment.max-awaiting-bytes must be at least 1KB")
    boolean isMaxAwaitingBytesAtLeastOneKilobyte() {
        return maxAwaitingBytes == null || maxAwaitingBytes.toBytes() >= 1024;
    }

    ReferenceWait referenceWait() {
        return new ReferenceWait(maxReferenceWait, referenceRetryInterval, maxAwaitingOrders, maxAwaitingBytes.toBytes());
    }
}
