package dev.streamfold.query.category;

import dev.streamfold.schemas.WindowAggregate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsNotStartedException;
import org.apache.kafka.streams.errors.StreamsStoppedException;
import org.apache.kafka.streams.query.FailureReason;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.query.WindowKeyQuery;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one category's windows from the local {@code category-windows} store through interactive queries (IQv2).
 *
 * <p>A category's windows are spread over every partition (the aggregate topic is keyed by category and window
 * start), so an answer is only complete when every partition is hosted here and active. Anything less is reported
 * as unavailable rather than answered partially; fanning out to the other instances is future work.
 */
class CategoryWindowsReader {

    private static final Logger log = LoggerFactory.getLogger(CategoryWindowsReader.class);

    private final KafkaStreams streams;
    private final Set<Integer> partitions;

    CategoryWindowsReader(KafkaStreams streams, int partitionCount) {
        this.streams = streams;
        this.partitions = IntStream.range(0, partitionCount).boxed().collect(Collectors.toUnmodifiableSet());
    }

    /** The category's windows whose start lies in the range, oldest first. */
    List<WindowAggregate> windows(String category, TimeRange range) {
        StateQueryRequest<WindowStoreIterator<WindowAggregate>> request = StateQueryRequest
                .inStore(CategoryWindowsTopology.STORE)
                .withQuery(WindowKeyQuery.<String, WindowAggregate>withKeyAndWindowStartRange(
                        category, range.from(), range.lastIncludedStart()))
                .withPartitions(partitions)
                .requireActive();
        StateQueryResult<WindowStoreIterator<WindowAggregate>> result = query(request);
        Map<Integer, QueryResult<WindowStoreIterator<WindowAggregate>>> byPartition = result.getPartitionResults();
        Map<Integer, FailureReason> failures = failures(byPartition);
        if (!failures.isEmpty()) {
            closeAll(byPartition);
            throw unavailable(failures);
        }
        List<WindowAggregate> windows = new ArrayList<>();
        for (QueryResult<WindowStoreIterator<WindowAggregate>> partitionResult : byPartition.values()) {
            try (WindowStoreIterator<WindowAggregate> iterator = partitionResult.getResult()) {
                iterator.forEachRemaining(window -> windows.add(window.value));
            }
        }
        windows.sort(Comparator.comparing(WindowAggregate::getWindowStart));
        return windows;
    }

    private StateQueryResult<WindowStoreIterator<WindowAggregate>> query(
            StateQueryRequest<WindowStoreIterator<WindowAggregate>> request) {
        try {
            return streams.query(request);
        } catch (StreamsNotStartedException | StreamsStoppedException e) {
            throw new StoreUnavailableException("The category store is not queryable while Kafka Streams is "
                    + streams.state() + ": " + e.getMessage());
        }
    }

    private static Map<Integer, FailureReason> failures(
            Map<Integer, QueryResult<WindowStoreIterator<WindowAggregate>>> byPartition) {
        Map<Integer, FailureReason> failures = new TreeMap<>();
        byPartition.forEach((partition, partitionResult) -> {
            if (partitionResult.isFailure()) {
                log.debug("Partition {} of the category store not queryable: {} {}", partition,
                        partitionResult.getFailureReason(), partitionResult.getFailureMessage());
                failures.put(partition, partitionResult.getFailureReason());
            }
        });
        return failures;
    }

    private RuntimeException unavailable(Map<Integer, FailureReason> failures) {
        if (failures.containsValue(FailureReason.UNKNOWN_QUERY_TYPE)) {
            // The store does not support the query: a bug, not a transient condition.
            return new IllegalStateException("The category store rejected the window query: " + failures);
        }
        KafkaStreams.State state = streams.state();
        boolean hostedElsewhere = state == KafkaStreams.State.RUNNING
                && failures.values().stream().allMatch(FailureReason.NOT_PRESENT::equals);
        return new StoreUnavailableException(hostedElsewhere
                ? "Partitions " + failures.keySet() + " of the category store are hosted by another instance;"
                        + " routing queries to them is not supported yet"
                : "The category store is not queryable while Kafka Streams is " + state
                        + " (partitions " + failures.keySet() + " are not active here yet)");
    }

    private static void closeAll(Map<Integer, QueryResult<WindowStoreIterator<WindowAggregate>>> byPartition) {
        byPartition.values().stream()
                .filter(QueryResult::isSuccess)
                .forEach(partitionResult -> partitionResult.getResult().close());
    }
}
