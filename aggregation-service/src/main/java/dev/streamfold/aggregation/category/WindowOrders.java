package dev.streamfold.aggregation.category;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.order.SourceStreamTime;
import dev.streamfold.schemas.EnrichedOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
 * Runs on one input partition of {@code orders.enriched} (one task), before any repartition, on orders that passed
 * {@code validate-orders}. In this order:
 *
 * <ol>
 *   <li><b>Duplicate</b>: an event id this partition already counted is dropped (counted {@code duplicate}). A
 *       re-delivered event keeps its customer key, so it always comes back to this task. Ids are kept in a window store
 *       at the order's event time until the order's window has closed.</li>
 *   <li><b>Late</b>: if the order's window was closed when the order arrived at its source (the stream time of the
 *       {@code orders} partition it was first read from, which enrichment stamps on it: {@link SourceStreamTime}, is
 *       >= window end + grace), the order goes to {@code orders.late} with headers saying why (counted {@code late}).
 *       An order without that stamp is judged by this partition's own stream time.</li>
 *   <li><b>Accepted</b>: the order is added to the pending delta of its (category, window) (counted
 *       {@code forwarded}); the partition's stream time moves to its event time, but never past the wall clock.</li>
 * </ol>
 *
 * <p>Lateness is judged by the source's progress, not by the interleaving a service's catch-up produced: an order
 * that enrichment re-routed or kept waiting while its neighbours went ahead (most visibly after an outage, when the
 * re-routed part of a backlog comes after the rest of it) is not late for that. Judged before the repartition, per
 * order, partitions catching up at different speeds never make each other's orders late either.
 *
 * <p>An order that would overflow its pending delta throws before any state is changed: it is dead-lettered to
 * {@code orders.enriched.dlq} with its own bytes, and neither stream time nor the seen ids move.
 *
 * <p>A wall-clock punctuator forwards every pending delta (keyed by category, stamped with the wall clock) and deletes
 * it; both are part of the task's exactly-once transaction. The pending store is cached, so between two commits its
 * changelog sees one write per (category, window), not one per order.
 */
final class WindowOrders implements Processor<String, EnrichedOrder, String, WindowingOutput> {

    static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(100);

    private static final Logger log = LoggerFactory.getLogger(WindowOrders.class);

    private final WindowSettings windows;
    private final RecordAccounting accounting;
    private final String stage;
    private final Duration flushInterval;
    private final String seenEventIdsStore;
    private final String streamTimeStore;
    private final String pendingDeltasStore;

    private ProcessorContext<String, WindowingOutput> context;
    private WindowStore<String, Long> seenEventIds;
    private KeyValueStore<Integer, Long> streamTimes;
    private KeyValueStore<CategoryWindow, WindowDelta> pendingDeltas;
    private int partition;
    /** Event-time stream time of this partition; {@link Long#MIN_VALUE} until the first order is accepted. */
    private long streamTime;

    WindowOrders(WindowSettings windows, RecordAccounting accounting, String stage, Duration flushInterval,
            String seenEventIdsStore, String streamTimeStore, String pendingDeltasStore) {
        if (flushInterval.isZero() || flushInterval.isNegative()) {
            throw new IllegalArgumentException("flush interval must be positive: " + flushInterval);
        }
        this.windows = windows;
        this.accounting = accounting;
        this.stage = stage;
        this.flushInterval = flushInterval;
        this.seenEventIdsStore = seenEventIdsStore;
        this.streamTimeStore = streamTimeStore;
        this.pendingDeltasStore = pendingDeltasStore;
    }

    @Override
    public void init(ProcessorContext<String, WindowingOutput> context) {
        this.context = context;
        this.seenEventIds = context.getStateStore(seenEventIdsStore);
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
        // One event id is one event, so one event time: the exact look-up finds any earlier delivery.
        if (seenEventIds.fetch(order.getEventId(), eventTime) != null) {
            accounting.duplicate(stage);
            log.debug("Dropping duplicate event {}", order.getEventId());
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
        CategoryWindow key = new CategoryWindow(order.getProductCategory(), windowStart);
        WindowDelta pending = pendingDeltas.get(key);
        WindowDelta updated = add(pending == null ? WindowDelta.empty(windowStart) : pending, order, key);
        // Nothing changes before this point: a rejected order never moves stream time nor marks its id as seen.
        seenEventIds.put(order.getEventId(), now, eventTime);
        pendingDeltas.put(key, updated);
        advanceStreamTime(eventTime, now);
        accounting.forwarded(stage);
    }

    private WindowDelta add(WindowDelta pending, EnrichedOrder order, CategoryWindow key) {
        try {
            return pending.plus(order);
        } catch (ArithmeticException e) {
            throw new ArithmeticException("Order " + order.getOrderId() + " (event " + order.getEventId() + ", "
                    + order.getAmountMinor() + " " + order.getCurrency() + ") overflows the revenue of category '"
                    + key.category() + "' in window " + Instant.ofEpochMilli(key.windowStart()) + " ("
                    + pending.revenueMinor().get(order.getCurrency()) + " " + order.getCurrency() + " so far)");
        }
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
        for (KeyValue<CategoryWindow, WindowDelta> delta : pending) {
            context.forward(new Record<String, WindowingOutput>(delta.key.category(), delta.value.from(partition, streamTime),
                    now, new RecordHeaders()));
            pendingDeltas.delete(delta.key);
        }
    }
}
