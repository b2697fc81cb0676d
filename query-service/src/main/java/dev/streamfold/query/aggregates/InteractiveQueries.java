package dev.streamfold.query.aggregates;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsNotStartedException;
import org.apache.kafka.streams.errors.StreamsStoppedException;
import org.apache.kafka.streams.query.FailureReason;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an interactive query (IQv2) against the local stores and insists on every asked partition answering here from
 * an active task. Anything less (starting, rebalancing, restoring, or a partition hosted by another instance) is a
 * {@link StoreUnavailableException} (503, {@code Retry-After}) rather than a partial answer; routing to the owning
 * instance is future work.
 */
class InteractiveQueries {

    private static final Logger log = LoggerFactory.getLogger(InteractiveQueries.class);

    private final KafkaStreams streams;

    InteractiveQueries(KafkaStreams streams) {
        this.streams = streams;
    }

    /**
     * @param store   what is queried, for messages (e.g. "the category windows store")
     * @param release frees a partition's result when another partition failed (closes iterators)
     * @return every asked partition's result
     */
    <R> Map<Integer, R> query(StateQueryRequest<R> request, String store, Consumer<R> release) {
        StateQueryResult<R> result;
        try {
            result = streams.query(request);
        } catch (StreamsNotStartedException | StreamsStoppedException e) {
            throw new StoreUnavailableException("The " + store + " is not queryable while Kafka Streams is "
                    + streams.state() + ": " + e.getMessage());
        }
        Map<Integer, QueryResult<R>> byPartition = result.getPartitionResults();
        Map<Integer, FailureReason> failures = new TreeMap<>();
        byPartition.forEach((partition, partitionResult) -> {
            if (partitionResult.isFailure()) {
                log.debug("Partition {} of the {} not queryable: {} {}", partition, store,
                        partitionResult.getFailureReason(), partitionResult.getFailureMessage());
                failures.put(partition, partitionResult.getFailureReason());
            }
        });
        if (!failures.isEmpty()) {
            byPartition.values().stream().filter(QueryResult::isSuccess)
                    .forEach(partitionResult -> release.accept(partitionResult.getResult()));
            throw unavailable(store, failures);
        }
        Map<Integer, R> results = new LinkedHashMap<>();
        byPartition.forEach((partition, partitionResult) -> results.put(partition, partitionResult.getResult()));
        return results;
    }

    private RuntimeException unavailable(String store, Map<Integer, FailureReason> failures) {
        if (failures.containsValue(FailureReason.UNKNOWN_QUERY_TYPE)) {
            // The store does not support the query: a bug, not a transient condition.
            return new IllegalStateException("The " + store + " rejected the query: " + failures);
        }
        KafkaStreams.State state = streams.state();
        boolean hostedElsewhere = state == KafkaStreams.State.RUNNING
                && failures.values().stream().allMatch(FailureReason.NOT_PRESENT::equals);
        return new StoreUnavailableException(hostedElsewhere
                ? "Partitions " + failures.keySet() + " of the " + store + " are hosted by another instance;"
                        + " routing queries to them is not supported yet"
                : "The " + store + " is not queryable while Kafka Streams is " + state
                        + " (partitions " + failures.keySet() + " are not active here yet)");
    }
}
