package dev.streamfold.aggregation.window;

import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * The repartition's partitioner: a partition's progress goes to every partition of the topic (each final-stage task
 * needs every input partition's watermark), a partial by its key like any record (Kafka's default partitioning).
 */
final class ProgressToEveryPartition implements StreamPartitioner<String, MergeInput> {

    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, MergeInput value, int numPartitions) {
        if (value instanceof Progress) {
            return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toUnmodifiableSet()));
        }
        return Optional.empty();
    }
}
