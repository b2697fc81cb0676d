package dev.streamfold.query.aggregates;

import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.schemas.WindowAggregate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.WindowKeyQuery;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Reads one dimension value's windows from the window store of an aggregate topic through interactive queries.
 *
 * <p>A value's windows are spread over every partition (the aggregate topics are keyed by value and window start), so
 * an answer is only complete when every partition is hosted here and active. Anything less is reported as unavailable
 * rather than answered partially; fanning out to the other instances is future work.
 */
class WindowsReader {

    private final InteractiveQueries queries;
    private final Topics topics;

    WindowsReader(InteractiveQueries queries, Topics topics) {
        this.queries = queries;
        this.topics = topics;
    }

    /** The windows of the value whose start lies in the range, oldest first. */
    List<WindowAggregate> windows(AggregateStream stream, String value, TimeRange range) {
        String store = AggregatesTopology.storeName(stream);
        StateQueryRequest<WindowStoreIterator<WindowAggregate>> request = StateQueryRequest
                .inStore(store)
                .withQuery(WindowKeyQuery.<String, WindowAggregate>withKeyAndWindowStartRange(
                        value, range.from(), range.lastIncludedStart()))
                .withPartitions(allPartitionsOf(stream))
                .requireActive();
        List<WindowAggregate> windows = new ArrayList<>();
        for (WindowStoreIterator<WindowAggregate> iterator
                : queries.query(request, "store " + store, WindowStoreIterator::close).values()) {
            try (iterator) {
                iterator.forEachRemaining(window -> windows.add(window.value));
            }
        }
        windows.sort(Comparator.comparing(WindowAggregate::getWindowStart));
        return windows;
    }

    private Set<Integer> allPartitionsOf(AggregateStream stream) {
        return IntStream.range(0, topics.aggregates(stream).partitions()).boxed()
                .collect(Collectors.toUnmodifiableSet());
    }
}
