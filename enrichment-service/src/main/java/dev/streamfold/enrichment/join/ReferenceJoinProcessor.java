package dev.streamfold.enrichment.join;

import dev.streamfold.common.deadletter.DeadLetterHeaders;
import dev.streamfold.common.deadletter.DeadLetterSource;
import dev.streamfold.common.deadletter.Faults;
import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.tracing.RecordTracing;
import dev.streamfold.schemas.Customer;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.Product;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins an order with the customer and product versions valid at its event time (versioned stores, see
 * {@link ReferenceVersions}). An order whose customer or product has no such version yet
 * waits in {@link EnrichmentTopology#AWAITING_REFERENCES_STORE} ({@link AwaitingOrders}: bounded, read by time), and
 * a wall-clock punctuator looks again: once both are there it is enriched, once it has waited the maximum time it is
 * dead-lettered; when the store is full, the oldest waiting order is dead-lettered to make room. All of it happens in
 * the task's exactly-once transaction, removal from the store included.
 *
 * <p>Orders are not held back behind a waiting one: aggregation is per event-time window, not per order sequence.
 */
final class ReferenceJoinProcessor implements Processor<String, Order, String, JoinOutcome> {

    private static final Logger log = LoggerFactory.getLogger(ReferenceJoinProcessor.class);

    private final ReferenceWait referenceWait;
    private final ParkedOrderSerde parkedOrders;
    private static final String LATENCY_STAGE = "enrichment";

    private final RecordAccounting accounting;
    private final String stage;
    private ProcessorContext<String, JoinOutcome> context;
    private VersionedKeyValueStore<String, Customer> customers;
    private VersionedKeyValueStore<String, Product> products;
    private AwaitingOrders awaiting;
    /** Wall-clock time this task (re)started: time the service was down does not count as waiting. */
    private Instant runningSince;
    /** Wall-clock time this task last read an order: a quiet partition cannot be hiding a customer in a backlog. */
    private Instant lastRead;

    ReferenceJoinProcessor(ReferenceWait referenceWait, ParkedOrderSerde parkedOrders, RecordAccounting accounting, String stage) {
        this.referenceWait = referenceWait;
        this.parkedOrders = parkedOrders;
        this.accounting = accounting;
        this.stage = stage;
    }

    @Override
    public void init(ProcessorContext<String, JoinOutcome> context) {
        this.context = context;
        customers = context.getStateStore(EnrichmentTopology.CUSTOMERS_STORE);
        products = context.getStateStore(EnrichmentTopology.PRODUCTS_STORE);
        KeyValueStore<Bytes, byte[]> awaitingStore = context.getStateStore(EnrichmentTopology.AWAITING_REFERENCES_STORE);
        awaiting = new AwaitingOrders(awaitingStore, parkedOrders, referenceWait.maxAwaitingOrders(),
                referenceWait.maxAwaitingBytes());
        runningSince = now();
        lastRead = runningSince;
        context.schedule(referenceWait.retryInterval(), PunctuationType.WALL_CLOCK_TIME, this::retryAwaiting);
    }

    @Override
    public void process(Record<String, Order> record) {
        lastRead = now();
        OrderReferences references = lookUp(record.value());
        if (references.isComplete()) {
            context.forward(record.withValue(JoinOutcome.enriched(references.toEnrichedOrder())));
            forwarded(record.headers());
            return;
        }
        RecordMetadata metadata = context.recordMetadata().orElseThrow();
        DeadLetterSource source = RouteToOwnPartition.firstReadAt(record.headers(), context.applicationId())
                .orElseGet(() -> new DeadLetterSource(context.applicationId(), metadata.topic(), metadata.partition(),
                        metadata.offset()));
        Instant now = now();
        List<KeyValue<Bytes, ParkedOrder>> evicted = awaiting.park(new ParkedOrder(record.value(), record.timestamp(),
                new RecordHeaders(record.headers().toArray()), source, now));
        for (KeyValue<Bytes, ParkedOrder> oldest : evicted) {
            makeRoom(oldest.value, now);
        }
        if (log.isDebugEnabled()) {
            log.debug("{}; waiting for up to {}", references.missing().getMessage(), referenceWait.maxWait());
        }
    }

    /** An order pushed out of a full store: enriched if it can be by now, else dead-lettered saying why. */
    private void makeRoom(ParkedOrder oldest, Instant now) {
        OrderReferences references = lookUp(oldest.order());
        if (references.isComplete()) {
            forward(oldest, JoinOutcome.enriched(references.toEnrichedOrder()), oldest.timestamp(), oldest.headers());
            forwarded(oldest.headers());
            return;
        }
        deadLetter(oldest, new MissingReferenceException(references.missing().getMessage() + "; no room left to wait for it ("
                + awaiting.size() + " orders, " + awaiting.bytes() + " bytes waiting; enrichment.max-awaiting-orders,"
                + " enrichment.max-awaiting-bytes)"), now);
    }

    private void retryAwaiting(long wallClockMs) {
        Instant now = Instant.ofEpochMilli(wallClockMs);
        for (KeyValue<Bytes, ParkedOrder> entry : awaiting.due(now, referenceWait.retryInterval())) {
            try {
                if (isSettled(entry.value, now)) {
                    awaiting.remove(entry.key);
                }
            } catch (RuntimeException e) {
                if (Faults.isTransient(e)) {
                    throw e;
                }
                // The punctuation has no source record for the handlers to dead-letter: do it here, then go on.
                deadLetter(entry.value, e, now);
                awaiting.remove(entry.key);
            }
        }
    }

    /** Enriches or dead-letters a waiting order if its time has come; false while it keeps waiting. */
    private boolean isSettled(ParkedOrder parked, Instant now) {
        OrderReferences references = lookUp(parked.order());
        if (references.isComplete()) {
            forward(parked, JoinOutcome.enriched(references.toEnrichedOrder()), parked.timestamp(), parked.headers());
            forwarded(parked.headers());
            return true;
        }
        if (hasWaitedLongEnough(parked, now)) {
            deadLetter(parked, new MissingReferenceException(references.missing().getMessage() + " after waiting "
                    + referenceWait.maxWait()), now);
            return true;
        }
        return false;
    }

    /**
     * An order has waited long enough when the service has been running for the maximum wait since the order started
     * waiting, and everything written up to the maximum wait after the order has been read (stream time: record
     * timestamps are write times), or the partition has been quiet that long. So an outage, and the catch-up of the
     * backlog it leaves, never dead-letters an order whose customer or product was written in time.
     */
    private boolean hasWaitedLongEnough(ParkedOrder parked, Instant now) {
        Duration maxWait = referenceWait.maxWait();
        Instant waitingSince = parked.parkedAt().isAfter(runningSince) ? parked.parkedAt() : runningSince;
        if (Duration.between(waitingSince, now).compareTo(maxWait) < 0) {
            return false;
        }
        boolean readPastTheWait = context.currentStreamTimeMs() >= parked.timestamp() + maxWait.toMillis();
        boolean quiet = Duration.between(lastRead, now).compareTo(maxWait) >= 0;
        return readPastTheWait || quiet;
    }

    private void deadLetter(ParkedOrder parked, RuntimeException error, Instant now) {
        // event.id and trace.id become fields of their own in structured (JSON) logs.
        log.atWarn().addKeyValue("event.id", parked.order().getEventId())
                .addKeyValue("trace.id", RecordTracing.traceId(parked.headers()).orElse(null))
                .log("{}-{}@{}: {}, sending it to {}", parked.source().topic(), parked.source().partition(),
                        parked.source().offset(), error.getMessage(), parked.source().deadLetterTopic());
        Headers headers = DeadLetterHeaders.describe(parked.source(), error, now, parked.headers());
        forward(parked, JoinOutcome.deadLetter(parkedOrders.orderBytes(parked.order())), now.toEpochMilli(), headers);
        accounting.deadLettered(stage, Faults.reason(error));
    }

    /** Validation guarantees that an order's key is its customer id. */
    private void forwarded(Headers headers) {
        accounting.forwarded(stage);
        accounting.latency().record(LATENCY_STAGE, context.currentSystemTimeMs(), headers);
    }

    private void forward(ParkedOrder parked, JoinOutcome outcome, long timestamp, Headers headers) {
        context.forward(new Record<>(Long.toString(parked.order().getCustomerId()), outcome, timestamp, headers));
    }

    /** The versions valid when the order was placed, whenever it is processed. */
    private OrderReferences lookUp(Order order) {
        long placed = order.getEventTime().toEpochMilli();
        return new OrderReferences(order, customers.get(Long.toString(order.getCustomerId()), placed),
                products.get(Long.toString(order.getProductId()), placed));
    }

    private Instant now() {
        return Instant.ofEpochMilli(context.currentSystemTimeMs());
    }
}
