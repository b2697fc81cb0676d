package dev.streamfold.aggregation.window;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.aggregate.Emission;
import dev.streamfold.common.aggregate.WindowKind;
import dev.streamfold.common.aggregate.WindowSpec;
import dev.streamfold.common.order.RevenueRule;
import dev.streamfold.common.order.SourceStreamTime;
import dev.streamfold.common.tracing.RecordTracing;
import dev.streamfold.schemas.CustomerLifetime;
import dev.streamfold.schemas.EnrichedOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs on one input partition of {@code orders.enriched} (one task), before any repartition, on order change events
 * that passed {@code validate-orders}. Orders are an upsert changelog by order id: each event carries the order's
 * whole state after a change, and a version that grows per order. In this order:
 *
 * <ol>
 *   <li><b>Duplicate</b>: if this partition already applied a version of the order at least as new (the
 *       {@code order-contributions} store, keyed by the order's event time and "&lt;source&gt;:&lt;order id&gt;"), the
 *       event is a re-delivery or a stale change that arrived after a newer one: dropped (counted {@code duplicate}).
 *       All changes of an order keep its customer key, so they all come to this task.</li>
 *   <li><b>Late</b>: if the order's tumbling window was closed when the change arrived at its source (the stream time
 *       of the {@code orders} partition it was first read from, which enrichment stamps on it: {@link SourceStreamTime},
 *       is >= window end + grace), the change goes to {@code orders.late} with headers saying why (counted
 *       {@code late}) and changes nothing. A change without that stamp is judged by this partition's own stream time.</li>
 *   <li><b>Applied</b> (counted {@code forwarded}): in every dimension and window of the order, its previous
 *       contribution, if it counted, is taken back out of the partial, and its new state, if it counts
 *       ({@link RevenueRule}), is added; likewise the customer's lifetime totals, published at once. The new state is
 *       stored, whether it counts or not, so that older versions stay ignored. The partition's stream time moves to the
 *       event time, but never past the wall clock.</li>
 * </ol>
 *
 * <p>Partials live in memory ({@link OpenPartials}); what makes them exactly-once is that each is a function of the
 * contributions store, which is: a partial is sent whole (never as an increment) and replaces the one sent before, a
 * restarted task rebuilds the partials of its open windows from the store and sends them again, and a window's last
 * partial is sent before stream time moves past its close, so no committed state ever holds an order whose closed
 * window did not get it. Changed partials are sent every flush interval (wall clock), followed by the partition's
 * progress to every partition of the repartition topic.
 *
 * <p>A change that would overflow a partial throws (and is dead-lettered with its own bytes) before the store or the
 * stream time moves; the partials it touched are rebuilt from the store.
 */
final class WindowOrders implements Processor<String, EnrichedOrder, String, WindowingOutput> {

    static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(100);
    /** The repartition key of progress records; their partitioner sends them to every partition. */
    static final String PROGRESS_KEY = "progress";

    private static final Logger log = LoggerFactory.getLogger(WindowOrders.class);
    private static final String LATENCY_STAGE = "aggregation";
    private static final String SPAN = "aggregate order";

    private final WindowSettings windows;
    private final List<Slot> slots;
    private final boolean customerLifetime;
    private final RecordAccounting accounting;
    private final RecordTracing tracing;
    private final String stage;
    private final FlushSettings flushing;
    private final String contributionsStore;
    private final String streamTimeStore;
    private final String lifetimeStore;

    private ProcessorContext<String, WindowingOutput> context;
    private KeyValueStore<ContributionKey, OrderContribution> contributions;
    private KeyValueStore<Integer, Long> streamTimes;
    private KeyValueStore<String, CustomerLifetime> lifetimes;
    private OpenPartials open;
    private int partition;
    /** Event-time stream time of this partition; {@link Long#MIN_VALUE} until the first order is accepted. */
    private long streamTime;
    private long reportedProgress = Long.MIN_VALUE;
    private long lastFlush;
    /** Wall clock of the last order processed (or of the start); the partition is idle long after it. */
    private long lastOrder;
    private boolean reportedIdle;
    /** Contributions before this event time were deleted (in memory: the first flush after a restart looks again). */
    private long forgottenBefore = Long.MIN_VALUE;
    /** Latency times and trace of the orders since the last flush, stamped on the partials it sends (not stored). */
    private final FlushProvenance flushProvenance = new FlushProvenance();

    /** A dimension in one kind of window. */
    record Slot(Dimension dimension, WindowKind kind) {
    }

    WindowOrders(WindowSettings windows, List<Slot> slots, boolean customerLifetime, RecordAccounting accounting,
            RecordTracing tracing, String stage, FlushSettings flushing, String contributionsStore, String streamTimeStore,
            String lifetimeStore) {
        this.flushing = flushing;
        this.windows = windows;
        this.slots = List.copyOf(slots);
        this.customerLifetime = customerLifetime;
        this.accounting = accounting;
        this.tracing = tracing;
        this.stage = stage;
        this.contributionsStore = contributionsStore;
        this.streamTimeStore = streamTimeStore;
        this.lifetimeStore = lifetimeStore;
    }

    @Override
    public void init(ProcessorContext<String, WindowingOutput> context) {
        this.context = context;
        this.contributions = context.getStateStore(contributionsStore);
        this.streamTimes = context.getStateStore(streamTimeStore);
        this.lifetimes = customerLifetime ? context.getStateStore(lifetimeStore) : null;
        this.partition = context.taskId().partition();
        Long stored = streamTimes.get(partition);
        this.streamTime = stored == null ? Long.MIN_VALUE : stored;
        this.open = new OpenPartials(windows);
        rebuildOpenWindows();
        lastFlush = context.currentSystemTimeMs();
        lastOrder = lastFlush;
        context.schedule(flushing.interval(), PunctuationType.WALL_CLOCK_TIME, this::flush);
    }

    /** Every window still open gets its partial back from the store, and is sent again (replacing is harmless). */
    private void rebuildOpenWindows() {
        if (streamTime == Long.MIN_VALUE) {
            return;
        }
        try (KeyValueIterator<ContributionKey, OrderContribution> all = contributions.range(
                ContributionKey.lowest(windows.earliestOpenEventTime(streamTime)), ContributionKey.lowest(Long.MAX_VALUE))) {
            while (all.hasNext()) {
                KeyValue<ContributionKey, OrderContribution> entry = all.next();
                if (entry.value.counts()) {
                    long eventTime = entry.key.eventTime();
                    forEachWindow(eventTime, entry.value, (key) -> {
                        if (windows.closesAt(key.kind(), key.windowStart()) > streamTime) {
                            open.changing(key).add(entry.value);
                        }
                    });
                }
            }
        }
        log.info("Partition {}: rebuilt {} open window partials from the contributions store", partition, open.size());
    }

    @Override
    public void process(Record<String, EnrichedOrder> record) {
        lastOrder = context.currentSystemTimeMs();
        EnrichedOrder order = record.value();
        long eventTime = order.getEventTime().toEpochMilli();
        String identity = OrderContribution.identityOf(order);
        // Every change of an order has its placement as event time: the exact look-up finds the last one applied.
        ContributionKey key = new ContributionKey(eventTime, identity);
        OrderContribution previous = contributions.get(key);
        if (previous != null && order.getVersion() <= previous.version()) {
            accounting.duplicate(stage);
            log.debug("Dropping event {}: version {} of order {} is not newer than the applied version {}",
                    order.getEventId(), order.getVersion(), identity, previous.version());
            return;
        }
        long now = context.currentSystemTimeMs();
        OptionalLong sourceStreamTime = SourceStreamTime.of(record.headers());
        if (windows.isLate(eventTime, sourceStreamTime.orElse(streamTime))) {
            forwardLate(record, eventTime, now, sourceStreamTime);
            accounting.late(stage);
            return;
        }
        OrderContribution current = OrderContribution.of(order);
        List<AggregateKey> reopened = reopenClosedWindows(previous, current, eventTime);
        if (reopened == null) {
            forwardBeyondHorizon(record, eventTime, now);
            accounting.late(stage);
            return;
        }
        apply(previous, current, eventTime, order);
        contributions.put(key, current);
        if (customerLifetime) {
            updateLifetime(record.key(), previous, current, eventTime, now);
        }
        advanceStreamTime(eventTime, now);
        // A closed window is not rebuilt after a restart: its change must go out in this transaction, not at the flush.
        Map<AggregateKey, Emitted> sent = send(open.takeDirty(reopened), now);
        publishFinals(reopened, now, Emitted.amendedFinal(), sent);
        accounting.forwarded(stage);
        accounting.latency().record(LATENCY_STAGE, now, record.headers());
        tracing.continueTrace(SPAN, record.headers(), order.getEventId());
        flushProvenance.add(eventTime, record.headers());
    }

    /**
     * An order on time at its source may still come after this partition closed and forgot one of its windows (an order
     * enrichment re-routed or kept waiting, most of all after an outage). Such a window's partial is rebuilt from the
     * contributions store before it is sent, never started empty: the final stage replaces a partition's partial, so an
     * empty start would lose the window's earlier orders. The store holds every order of a window for the straggler
     * horizon after it closed; a window older than that cannot be rebuilt, and the order is refused as late.
     *
     * <p>The reopened windows' partials are sent at once, in the same transaction as the change: a restarted task
     * rebuilds only open windows, so a change of a closed one left for the next flush would be lost in a crash.
     *
     * @return the windows reopened, or null if a window of the order is beyond that horizon (nothing changed then)
     */
    private List<AggregateKey> reopenClosedWindows(OrderContribution previous, OrderContribution current, long eventTime) {
        List<AggregateKey> closed = new ArrayList<>();
        java.util.function.Consumer<AggregateKey> check = key -> {
            if (open.get(key) == null && windows.closesAt(key.kind(), key.windowStart()) <= streamTime) {
                closed.add(key);
            }
        };
        if (previous != null && previous.counts()) {
            forEachWindow(eventTime, previous, check);
        }
        if (current.counts()) {
            forEachWindow(eventTime, current, check);
        }
        for (AggregateKey key : closed) {
            if (key.windowStart() < windows.keptFrom(streamTime)) {
                return null;
            }
        }
        closed.forEach(open::markStale);
        return closed;
    }

    private void forwardBeyondHorizon(Record<String, EnrichedOrder> record, long eventTime, long now) {
        long windowStart = windows.tumbling().lastStart(eventTime);
        log.debug("Order {} of window {} is beyond the horizon of partition {}", record.value().getEventId(),
                Instant.ofEpochMilli(windowStart), partition);
        context.forward(new Record<String, WindowingOutput>(record.key(), new LateOrder(record.value()), now,
                LateOrderHeaders.describe(record.headers(), context.applicationId(), "this aggregation partition, which"
                        + " keeps a closed window's orders for the straggler horizon (" + windows.stragglerHorizon() + ") only",
                        Instant.ofEpochMilli(windowStart), Instant.ofEpochMilli(windows.tumbling().end(windowStart)),
                        windows.grace(), Instant.ofEpochMilli(streamTime))));
    }

    /** Takes the previous contribution back out of, and adds the new one to, every window of every dimension. */
    private void apply(OrderContribution previous, OrderContribution current, long eventTime, EnrichedOrder order) {
        Set<AggregateKey> touched = new LinkedHashSet<>();
        try {
            if (previous != null && previous.counts()) {
                forEachWindow(eventTime, previous, key -> {
                    touched.add(key);
                    open.markStale(key);
                    open.get(key).subtract(previous);
                });
            }
            if (current.counts()) {
                forEachWindow(eventTime, current, key -> {
                    touched.add(key);
                    open.changing(key).add(current);
                });
            }
        } catch (ArithmeticException e) {
            // The store does not hold this change: rebuilt from it, the touched partials are as before the change.
            touched.forEach(open::markStale);
            throw new ArithmeticException("Order " + OrderContribution.identityOf(order) + " (event " + order.getEventId()
                    + ", " + current + ", replacing " + previous + ") overflows a window's figures: " + e.getMessage());
        }
    }

    private void forEachWindow(long eventTime, OrderContribution contribution, java.util.function.Consumer<AggregateKey> action) {
        for (Slot slot : slots) {
            WindowSpec spec = windows.spec(slot.kind());
            String value = contribution.valueIn(slot.dimension());
            for (long start = spec.firstStart(eventTime); start <= eventTime; start += spec.advanceMs()) {
                action.accept(new AggregateKey(slot.dimension(), slot.kind(), value, start));
            }
        }
    }

    private void updateLifetime(String customerKey, OrderContribution previous, OrderContribution current, long eventTime,
            long now) {
        String customerId = Long.toString(current.customerId());
        CustomerLifetime lifetime = lifetimes.get(customerId);
        CustomerLifetime updated = CustomerLifetimes.apply(lifetime == null ? CustomerLifetimes.empty(customerId) : lifetime,
                previous, current, eventTime);
        lifetimes.put(customerId, updated);
        context.forward(new Record<String, WindowingOutput>(customerId, new LifetimeUpdate(updated), now));
    }

    /**
     * Capped at the wall clock: an order from a fast clock (within the allowed skew) counts, but closes nothing early.
     * The windows it closes get their last partial now, before the new stream time can be committed.
     */
    private void advanceStreamTime(long eventTime, long now) {
        long candidate = Math.min(eventTime, now);
        if (candidate > streamTime) {
            long previous = streamTime;
            streamTime = candidate;
            streamTimes.put(partition, streamTime);
            // A window's figures are built once when its last live update and its final result go out together.
            Map<AggregateKey, Emitted> sent = send(open.dirtyClosedAt(streamTime), now);
            publishFinals(open.closingAfter(previous, streamTime), now, new RecordHeaders(), sent);
            open.forgetClosed(streamTime);
        }
    }

    private void forwardLate(Record<String, EnrichedOrder> record, long eventTime, long now, OptionalLong sourceStreamTime) {
        long windowStart = windows.tumbling().lastStart(eventTime);
        Instant start = Instant.ofEpochMilli(windowStart);
        Instant end = Instant.ofEpochMilli(windows.tumbling().end(windowStart));
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

    /**
     * Sends every changed partial, then this partition's progress if it moved; record timestamps are the wall clock.
     * While the partition works through a backlog, only every catch-up interval: at backlog speed a window fills
     * within a few flushes, and sending its growing partial (sketches and all) at each of them was most of the final
     * stage's work (JFR, {@code PipelineBenchmark}); closing windows are sent as they close, whatever the interval.
     */
    private void flush(long now) {
        if (catchingUp(now) && now - lastFlush < flushing.catchUpInterval().toMillis()) {
            return;
        }
        lastFlush = now;
        send(open.takeDirty(), now);
        forgetOldContributions();
        boolean idle = now - lastOrder >= flushing.idlePartitionTimeout().toMillis();
        if (streamTime > reportedProgress || idle != reportedIdle) {
            context.forward(new Record<String, WindowingOutput>(PROGRESS_KEY, new Progress(partition, streamTime, idle), now));
            reportedProgress = streamTime;
            reportedIdle = idle;
        }
        open.forgetClosed(streamTime);
    }

    /** Every window this partition fills ended, with its grace, long before now. */
    private boolean catchingUp(long now) {
        return streamTime != Long.MIN_VALUE && windows.earliestOpenEventTime(now) > streamTime;
    }

    /** @return the live figures sent of the windows complete on this partition, for their final results to reuse */
    private Map<AggregateKey, Emitted> send(List<AggregateKey> keys, long now) {
        if (keys.isEmpty()) {
            return Map.of();
        }
        RecordHeaders provenance = new RecordHeaders();
        flushProvenance.stampAndReset(provenance);
        Map<AggregateKey, Emitted> live = new HashMap<>();
        for (AggregateKey key : keys) {
            if (open.isStale(key)) {
                open.replace(key, rebuild(key));
            }
            WindowingOutput output;
            if (key.completeOnOnePartition()) {
                Emitted figures = Emitted.of(key, open.get(key), Emission.LIVE, windows);
                live.put(key, figures);
                output = figures;
            } else {
                output = new PartialUpdate(key, partition, open.get(key));
            }
            // A copy each: a record's headers may be changed downstream (dead-letter headers), never a sibling's.
            context.forward(new Record<>(key.routingKey(), output, now, new RecordHeaders(provenance.toArray())));
        }
        return live;
    }

    /**
     * The final results of the windows complete on this partition among {@code keys}: this partition's stream time is
     * their only watermark. Partials of other windows are closed by the final stage.
     * {@code justSent}: the live figures of those windows sent just before, reused rather than built again.
     */
    private void publishFinals(List<AggregateKey> keys, long now, Headers headers, Map<AggregateKey, Emitted> justSent) {
        for (AggregateKey key : keys) {
            if (key.completeOnOnePartition()) {
                Emitted live = justSent.get(key);
                Emitted last = live == null ? Emitted.of(key, open.get(key), Emission.FINAL, windows) : live.asFinal();
                context.forward(new Record<String, WindowingOutput>(key.routingKey(), last, now,
                        new RecordHeaders(headers.toArray())));
            }
        }
    }

    /**
     * Contributions of orders whose every window is closed and beyond the horizon are no longer needed: a change of
     * such an order is late. The store is in event-time order, so they are at its front.
     */
    private void forgetOldContributions() {
        if (streamTime == Long.MIN_VALUE) {
            return;
        }
        long before = windows.keptFrom(streamTime);
        if (before <= forgottenBefore) {
            return;
        }
        List<ContributionKey> old = new ArrayList<>();
        try (KeyValueIterator<ContributionKey, OrderContribution> oldestFirst = contributions.range(
                ContributionKey.lowest(Long.MIN_VALUE), ContributionKey.lowest(before))) {
            while (oldestFirst.hasNext()) {
                ContributionKey key = oldestFirst.next().key;
                if (key.eventTime() < before) {
                    old.add(key);
                }
            }
        }
        old.forEach(contributions::delete);
        forgottenBefore = before;
    }

    /** The window's partial from the contributions that count now (the store holds every order of an open window). */
    private Partial rebuild(AggregateKey key) {
        Partial partial = Partial.of(key);
        long end = windows.spec(key.kind()).end(key.windowStart());
        try (KeyValueIterator<ContributionKey, OrderContribution> inWindow =
                     contributions.range(ContributionKey.lowest(key.windowStart()), ContributionKey.lowest(end))) {
            while (inWindow.hasNext()) {
                KeyValue<ContributionKey, OrderContribution> entry = inWindow.next();
                OrderContribution contribution = entry.value;
                if (entry.key.eventTime() < end && contribution.counts() && contribution.valueIn(key.dimension()).equals(key.value())) {
                    partial.add(contribution);
                }
            }
        }
        return partial;
    }

    /** The slots of a configuration: every dimension in tumbling windows, the hopping ones in hopping windows too. */
    static List<Slot> slots(List<Dimension> dimensions, List<Dimension> hoppingDimensions) {
        List<Slot> slots = new ArrayList<>();
        dimensions.forEach(dimension -> slots.add(new Slot(dimension, WindowKind.TUMBLING)));
        hoppingDimensions.forEach(dimension -> slots.add(new Slot(dimension, WindowKind.HOPPING)));
        return slots;
    }
}
