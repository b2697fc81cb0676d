package dev.streamfold.aggregation.window;

import dev.streamfold.common.aggregate.Dimension;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * The repartition's partitioner. A partition's progress goes to every partition of the topic: each final-stage task
 * needs every input partition's watermark. A partial of a dimension whose hopping windows are combined from tumbling
 * panes goes by its dimension value alone, so that every window of the value meets on one task: a hopping window
 * spans several panes, and a task holding only some of them would publish it without the others' orders. Any other
 * partial goes by its key (dimension, kind, value and window start), like any record.
 */
final class MergeInputPartitioner implements StreamPartitioner<String, MergeInput> {

    private final Set<Dimension> byValue;

    MergeInputPartitioner(Collection<Dimension> hoppingFromPanes) {
        this.byValue = Set.copyOf(hoppingFromPanes);
    }

    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, MergeInput value, int numPartitions) {
        if (value instanceof Progress) {
            return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toUnmodifiableSet()));
        }
        if (value instanceof PartialUpdate update && byValue.contains(update.key().dimension())) {
            return Optional.of(Set.of(partitionOfValue(update.key(), numPartitions)));
        }
        return Optional.empty();
    }

    /** Kafka's default partitioning (murmur2) of {@code dimension|value}. */
    static int partitionOfValue(AggregateKey key, int numPartitions) {
        byte[] bytes = (key.dimension().id() + '|' + key.value()).getBytes(StandardCharsets.UTF_8);
        return Utils.toPositive(Utils.murmur2(bytes)) % numPartitions;
    }
}
