package dev.streamfold.aggregation.window;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.aggregate.Emission;
import dev.streamfold.common.aggregate.WindowKind;
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When the final stage publishes the hopping windows it combines from tumbling panes: once per publish interval in
 * which a pane changed, and again after a restart, which cannot know what its predecessor had still to publish. The
 * stores stand for what was committed; a new processor over them is a restarted task.
 */
class HoppingPublicationTest {

    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final Duration GRACE = Duration.ofMinutes(1);
    private static final WindowSettings WINDOWS = new WindowSettings(Duration.ofMinutes(1), GRACE);
    /** Minute 600 of the epoch: a start of every 1-minute and 5-minute window. */
    private static final long W0 = Instant.parse("1970-01-01T10:00:00Z").toEpochMilli();
    private static final long MINUTE = 60_000;
    private static final int PARTITIONS = 4;

    private KeyValueStore<AggregateKey, MergedWindow> windows;
    private KeyValueStore<Integer, Long> progress;

    @BeforeEach
    void committedStores() {
        windows = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("merged"), new AggregateKeySerde(),
                new MergedWindow.WindowSerde()).withLoggingDisabled().build();
        progress = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("progress"), Serdes.Integer(), Serdes.Long())
                .withLoggingDisabled().build();
    }

    @Test
    void shouldPublishEachChangedHoppingWindowOncePerIntervalWithAllItsPanes() {
        // Given a running final stage
        MockProcessorContext<WindowKey, Emitted> context = start();

        // When four input partitions send partials of two panes of the total, some twice, within one interval
        MergePartials merge = processor(context);
        merge.process(partial(0, W0, 2, 100));
        merge.process(partial(1, W0, 1, 40));
        merge.process(partial(0, W0 + MINUTE, 1, 7));
        merge.process(partial(2, W0, 3, 300));
        merge.process(partial(0, W0, 3, 150));

        // Then no hopping window is published before the interval ends
        assertThat(hopping(context.forwarded())).isEmpty();
        // And when it ends, each of the six hopping windows containing a changed pane is published once, with the
        // latest partial of every partition of both panes: 3 + 1 + 3 orders at W0, 1 at W0 + 1 min
        context.resetForwards();
        publicationInterval(context);
        Map<Long, List<WindowAggregate>> published = hopping(context.forwarded());
        assertThat(published).containsOnlyKeys(W0 - 4 * MINUTE, W0 - 3 * MINUTE, W0 - 2 * MINUTE, W0 - MINUTE, W0,
                W0 + MINUTE);
        assertThat(published.values()).allSatisfy(each -> assertThat(each).hasSize(1));
        assertThat(published.get(W0).getFirst().getOrderCount()).isEqualTo(8);
        assertThat(published.get(W0).getFirst().getRevenueMinor()).containsExactlyEntriesOf(Map.of("EUR", 497L));
        assertThat(published.get(W0 + MINUTE).getFirst().getOrderCount()).isEqualTo(1);
        // And an interval without changes publishes nothing
        context.resetForwards();
        publicationInterval(context);
        assertThat(hopping(context.forwarded())).isEmpty();
    }

    @Test
    void shouldPublishEveryOpenHoppingWindowWhenRestartedBeforeTheChangesWerePublished() {
        // Given panes merged and committed, whose hopping windows were not published yet when the instance died
        MockProcessorContext<WindowKey, Emitted> before = start();
        MergePartials crashed = processor(before);
        crashed.process(partial(0, W0, 2, 100));
        crashed.process(partial(3, W0 + 2 * MINUTE, 1, 5));
        assertThat(hopping(before.forwarded())).isEmpty();

        // When a new instance starts on the committed stores and its first interval ends
        MockProcessorContext<WindowKey, Emitted> after = start();
        processor(after);
        publicationInterval(after);

        // Then every hopping window of those panes is published with their figures
        Map<Long, List<WindowAggregate>> published = hopping(after.forwarded());
        assertThat(published).containsOnlyKeys(W0 - 4 * MINUTE, W0 - 3 * MINUTE, W0 - 2 * MINUTE, W0 - MINUTE, W0,
                W0 + MINUTE, W0 + 2 * MINUTE);
        assertThat(published.get(W0).getFirst().getOrderCount()).isEqualTo(3);
        assertThat(published.get(W0 + 2 * MINUTE).getFirst().getOrderCount()).isEqualTo(1);
    }

    @Test
    void shouldPublishAClosingHoppingWindowLiveBeforeItsFinalResult() {
        // Given a pane changed within the current interval
        MockProcessorContext<WindowKey, Emitted> context = start();
        MergePartials merge = processor(context);
        merge.process(partial(0, W0, 2, 100));

        // When every input partition's progress passes the end + grace of the hopping window starting at W0
        long closes = W0 + 5 * MINUTE + GRACE.toMillis();
        for (int partition = 0; partition < PARTITIONS; partition++) {
            merge.process(new Record<>(WindowOrders.PROGRESS_KEY, new Progress(partition, closes), 0L));
        }

        // Then the windows that closed went out live, then final, with the same figures, before the interval ended
        List<Emitted> closing = context.forwarded().stream().map(forward -> (Emitted) forward.record().value())
                .filter(emitted -> emitted.stream().kind() == WindowKind.HOPPING)
                .filter(emitted -> emitted.aggregate().getWindowStart().toEpochMilli() == W0)
                .toList();
        assertThat(closing).extracting(emitted -> emitted.stream().emission())
                .containsExactly(Emission.LIVE, Emission.FINAL);
        assertThat(closing).extracting(emitted -> emitted.aggregate().getOrderCount()).containsExactly(2L, 2L);
        // And the interval's end publishes nothing more: every hopping window of the pane closed
        context.resetForwards();
        publicationInterval(context);
        assertThat(hopping(context.forwarded())).isEmpty();
    }

    private MockProcessorContext<WindowKey, Emitted> start() {
        MockProcessorContext<WindowKey, Emitted> context = new MockProcessorContext<>();
        context.setRecordMetadata("partials-repartition", 0, 0);
        context.setCurrentSystemTimeMs(W0 + 10 * MINUTE);
        windows.init(context.getStateStoreContext(), windows);
        progress.init(context.getStateStoreContext(), progress);
        context.addStateStore(windows);
        context.addStateStore(progress);
        return context;
    }

    private MergePartials processor(MockProcessorContext<WindowKey, Emitted> context) {
        MergePartials merge = new MergePartials(WINDOWS, RecordAccounting.inMemory("aggregation-service"), "partials",
                windows.name(), progress.name(), PARTITIONS, List.of(Dimension.TOTAL), INTERVAL);
        merge.init(context);
        return merge;
    }

    private static void publicationInterval(MockProcessorContext<WindowKey, Emitted> context) {
        context.scheduledPunctuators().stream()
                .filter(punctuator -> punctuator.getType() == PunctuationType.WALL_CLOCK_TIME)
                .filter(punctuator -> punctuator.getInterval().equals(INTERVAL))
                .forEach(punctuator -> punctuator.getPunctuator().punctuate(W0 + 10 * MINUTE));
    }

    /** The total's pane at {@code start} as one input partition has it: {@code orders} orders worth {@code revenue}. */
    private static Record<String, MergeInput> partial(int partition, long start, int orders, long revenue) {
        Partial partial = new Partial();
        for (int i = 0; i < orders; i++) {
            long amount = i == 0 ? revenue - (orders - 1) : 1;
            partial.add(new OrderContribution(1, 100 + i, "books", "NL", "EUR", amount, 1, true));
        }
        AggregateKey key = new AggregateKey(Dimension.TOTAL, WindowKind.TUMBLING, "total", start);
        return new Record<>("total", new PartialUpdate(key, partition, partial), 0L);
    }

    /** The live hopping windows published, by window start, in the order published. */
    private static Map<Long, List<WindowAggregate>> hopping(List<CapturedForward<? extends WindowKey, ? extends Emitted>> forwarded) {
        Map<Long, List<WindowAggregate>> byStart = new TreeMap<>();
        forwarded.stream().map(CapturedForward::record).map(Record::value)
                .filter(emitted -> emitted.stream().kind() == WindowKind.HOPPING)
                .filter(emitted -> emitted.stream().emission() == Emission.LIVE)
                .forEach(emitted -> byStart.computeIfAbsent(emitted.aggregate().getWindowStart().toEpochMilli(),
                        start -> new ArrayList<>()).add(emitted.aggregate()));
        return byStart;
    }
}
