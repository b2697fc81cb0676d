package dev.streamfold.aggregation.category;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.tracing.RecordTracing;
import dev.streamfold.common.order.RevenueRule;
import dev.streamfold.common.order.SourceStreamTime;
import dev.streamfold.schemas.EnrichedOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs on one input partition of {@code orders.enriched} (one task), before any repartition, on order change events
 * that passed {@code validate-orders}. Orders are an upsert changelog by order id: each event carries the order's
 * whole state after a change, and a version that grows per order. In this order:
 *
 * <ol>
 *   <li><b>Duplicate</b>: if this partition already applied a version of the order at least as new (the
 *       {@code order-contributions} store, keyed by "&lt;source&gt;:&lt;order id&gt;" at the order's event time), the
 *       event is a re-delivery or a stale change that arrived after a newer one: dropped (counted {@code duplicate}).
 *       All changes of an order keep its customer key, so they all come to this task.</li>
 *   <li><b>Late</b>: if the order's window was closed when the change arrived at its source (the stream time of the
 *       {@code orders} partition it was first read from, which enrichment stamps on it: {@link SourceStreamTime}, is
 *       >= window end + grace), the change goes to {@code orders.late} with headers saying why (counted {@code late})
 *       and changes nothing. A change without that stamp is judged by this partition's own stream time.</li>
 *   <li><b>Applied</b> (counted {@code forwarded}): the order's previous contribution, if it counted, is taken back out
 *       of the pending delta of its (category, window); the new state, if it counts ({@link RevenueRule}), is added to
 *       its own; the new state is stored, whether it counts or not, so that older versions stay ignored. The
 *       partition's stream time moves to the event time, but never past the wall clock.</li>
 * </ol>
 *
 * <p>An order's event time is its placement, the same in every change, so every change of an order falls into the
 * same window and finds the previous one with an exact look-up; only the category can differ between versions.
 *
 * <p>Lateness is judged by the source's progress, not by the interleaving a service's catch-up produced: an order
 * that enrichment re-routed or kept waiting while its neighbours went ahead (most visibly after an outage, when the
 * re-routed part of a backlog comes after the rest of it) is not late for that. Judged before the repartition, per
 * order, partitions catching up at different speeds never make each other's orders late either.
 *
 * <p>A change that would overflow a pending delta throws before any state is changed: it is dead-lettered to
 * {@code orders.enriched.dlq} with its own bytes, and neither stream time nor the stored contribution moves.
 *
 * <p>A wall-clock punctuator forwards every pending delta (keyed by category, stamped with the wall clock) and deletes
 * it; both are part of the task's exactly-once transaction. The pending store is cached, so between two commits its
 * changelog sees one write per (category, window), not one per order.
 */
final class WindowOrders implements Processor<String, EnrichedOrder, String, WindowingOutput> {

    static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(100);

    private static final Logger log = LoggerFactory.getLogger(WindowOrders.class);

    private final WindowSettings windows;
    private static final String LATENCY_STAGE = "aggregation";
    private static final String SPAN = "aggregate order";

    private final RecordAccounting accounting;
    private final RecordTracing tracing;
    private final String stage;
    private final Duration flushInterval;
    private final String contributionsStore;
    private final String streamTimeStore;
    private final String pendingDeltasStore;

    private ProcessorContext<String, WindowingOutput> context;
    /** Per order identity, at the order's event time: what its latest applied version contributes. */
    private WindowStore<String, OrderContribution> contributions;
    private KeyValueStore<Integer, Long> streamTimes;
    private KeyValueStore<CategoryWindow, WindowDelta> pendingDeltas;
    private int partition;
    /** Event-time stream time of this partition; {@link Long#MIN_VALUE} until the first order is accepted. */
    private long streamTime;
    /** Latency times and trace of the orders since the last flush, stamped on the deltas it forwards (not stored). */
    private final FlushProvenance flushProvenance = new FlushProvenance();

    WindowOrders(WindowSettings windows, RecordAccounting accounting, RecordTracing tracing, String stage, Duration flushInterval,
            String contributionsStore, String streamTimeStore, String pendingDeltasStore) {
        if (flushInterval.isZero() || flushInterval.isNegative()) {
            throw new IllegalArgumentException("flush interval must be positive: " + flushInterval);
        }
        this.windows = windows;
        this.accounting = accounting;
        this.tracing = tracing;
        this.stage = stage;
        this.flushInterval = flushInterval;
        this.contributionsStore = contributionsStore;
        this.streamTimeStore = streamTimeStore;
        this.pendingDeltasStore = pendingDeltasStore;
    }

    @Override
    public void init(ProcessorContext<String, WindowingOutput> context) {
        this.context = context;
        this.contributions = context.getStateStore(contributionsStore);
        this.streamTimes = context.getStateStore(streamTimeStore);
        this.pendingDeltas = context.getStateStore(pendingDeltasStore);
        // One task reads one partition of orders.enriched; the store keeps its stream time across restarts.
        this.partition = context.taskId().partition();
        Long stored = streamTimes.get(partition);
        this.streamTime = stored == null ? Long.MIN_VALUE : stored;
        context.schedule(flushInterval, PunctuationType.WALL_CLOCK_TIME, this::flushPendingDeltas);
    }

    @Override
    public void process(Record<String, EnrichedOrder> record) {
        EnrichedOrder order = record.value();
        long eventTime = order.getEventTime().toEpochMilli();
        String identity = OrderContribution.identityOf(order);
        // Every change of an order has its placement as event time: the exact look-up finds the last one applied.
        OrderContribution previous = contributions.fetch(identity, eventTime);
        if (previous != null && order.getVersion() <= previous.version()) {
            accounting.duplicate(stage);
            log.debug("Dropping event {}: version {} of order {} is not newer than the applied version {}",
                    order.getEventId(), order.getVersion(), identity, previous.version());
            return;
        }
        long now = context.currentSystemTimeMs();
        long windowStart = windows.windowStart(eventTime);
        OptionalLong sourceStreamTime = SourceStreamTime.of(record.headers());
        if (windows.isClosed(windowStart, sourceStreamTime.orElse(streamTime))) {
            forwardLate(record, windowStart, now, sourceStreamTime);
            accounting.late(stage);
            return;
        }
        OrderContribution current = OrderContribution.of(order);
        Map<CategoryWindow, WindowDelta> changed = change(previous, current, windowStart, order);
        // Nothing changes before this point: a rejected change never moves stream time nor the stored contribution.
        contributions.put(identity, current, eventTime);
        changed.forEach(pendingDeltas::put);
        advanceStreamTime(eventTime, now);
        accounting.forwarded(stage);
        accounting.latency().record(LATENCY_STAGE, now, record.headers());
        tracing.continueTrace(SPAN, record.headers(), order.getEventId());
        flushProvenance.add(eventTime, record.headers());
    }

    /**
     * The pending deltas after the order's previous contribution is taken back and its new one added: one entry if
     * both are in the same category (or only one counts), two if the product moved category, none if neither counts.
     * Computed apart from the store, so that an overflow throws before anything is written.
     */
    private Map<CategoryWindow, WindowDelta> change(OrderContribution previous, OrderContribution current,
            long windowStart, EnrichedOrder order) {
        Map<CategoryWindow, WindowDelta> changed = new LinkedHashMap<>(4);
        try {
            if (previous != null && previous.counts()) {
                CategoryWindow key = new CategoryWindow(previous.category(), windowStart);
                changed.put(key, pendingOf(key, changed).minus(previous));
            }
            if (current.counts()) {
                CategoryWindow key = new CategoryWindow(current.category(), windowStart);
                changed.put(key, pendingOf(key, changed).plus(current));
            }
        } catch (ArithmeticException e) {
            // Named in full, so that the dead letter says which change could not be applied to which window.
            throw new ArithmeticException("Order " + OrderContribution.identityOf(order) + " (event " + order.getEventId()
                    + ", " + current + ", replacing " + previous + ") overflows a pending delta of window "
                    + Instant.ofEpochMilli(windowStart) + " (pending in '" + current.category() + "': "
                    + pendingDeltas.get(new CategoryWindow(current.category(), windowStart)) + ")");
        }
        return changed;
    }

    /** The delta as this change left it so far, else as the store holds it, else empty. */
    private WindowDelta pendingOf(CategoryWindow key, Map<CategoryWindow, WindowDelta> changed) {
        WindowDelta pending = changed.get(key);
        if (pending == null) {
            pending = pendingDeltas.get(key);
        }
        return pending == null ? WindowDelta.empty(key.windowStart()) : pending;
    }

    /** Capped at the wall clock: an order from a fast clock (within the allowed skew) counts, but closes nothing early. */
    private void advanceStreamTime(long eventTime, long now) {
        long candidate = Math.min(eventTime, now);
        if (candidate > streamTime) {
            streamTime = candidate;
            streamTimes.put(partition, streamTime);
        }
    }

    private void forwardLate(Record<String, EnrichedOrder> record, long windowStart, long now, OptionalLong sourceStreamTime) {
        Instant start = Instant.ofEpochMilli(windowStart);
        Instant end = Instant.ofEpochMilli(windows.windowEnd(windowStart));
        Instant judgedAt = Instant.ofEpochMilli(sourceStreamTime.orElse(streamTime));
        log.debug("Order {} of window {} is late: stream time {}", record.value().getEventId(), start, judgedAt);
        context.forward(new Record<String, WindowingOutput>(record.key(), new LateOrder(record.value()), now,
                LateOrderHeaders.describe(record.headers(), context.applicationId(), progressOf(sourceStreamTime),
                        start, end, windows.grace(), judgedAt)));
    }

    private String progressOf(OptionalLong sourceStreamTime) {
        if (sourceStreamTime.isPresent()) {
            return "the orders partition it was first read from";
        }
        Optional<RecordMetadata> input = context.recordMetadata();
        return input.map(RecordMetadata::topic).orElse(stage) + "-" + input.map(RecordMetadata::partition).orElse(partition);
    }

    /** Forwards and deletes every pending delta; the record timestamp is the wall clock (write time), never event time. */
    private void flushPendingDeltas(long now) {
        List<KeyValue<CategoryWindow, WindowDelta>> pending = new ArrayList<>();
        try (KeyValueIterator<CategoryWindow, WindowDelta> all = pendingDeltas.all()) {
            all.forEachRemaining(pending::add);
        }
        RecordHeaders provenance = new RecordHeaders();
        flushProvenance.stampAndReset(provenance);
        for (KeyValue<CategoryWindow, WindowDelta> delta : pending) {
            // A copy each: a record's headers may be changed downstream (dead-letter headers), never a sibling's.
            context.forward(new Record<String, WindowingOutput>(delta.key.category(), delta.value.from(partition, streamTime),
                    now, new RecordHeaders(provenance.toArray())));
            pendingDeltas.delete(delta.key);
        }
    }
}
