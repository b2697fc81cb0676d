package dev.streamfold.enrichment.join;

import dev.streamfold.common.deadletter.DeadLetterSource;
import dev.streamfold.schemas.Order;
import java.time.Instant;
import org.apache.kafka.common.header.Headers;

/**
 * An order waiting for its customer or product, with what it takes to emit it later as if it had been joined on
 * arrival (record timestamp and headers) or to dead-letter it (where it was read from).
 *
 * @param timestamp the order record's timestamp, kept for the enriched record
 * @param headers   the order record's headers, kept for the enriched record or the dead letter
 * @param source    where the order was read, for the dead-letter headers
 * @param parkedAt  wall-clock time when it started waiting
 */
record ParkedOrder(Order order, long timestamp, Headers headers, DeadLetterSource source, Instant parkedAt) {
}
