package dev.streamfold.aggregation.window;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.aggregate.WindowKind;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MergeInputPartitionerTest {

    private static final String TOPIC = "app-window-partials-repartition";
    private static final int PARTITIONS = 12;
    private static final long W1 = Instant.parse("2026-03-01T10:00:00Z").toEpochMilli();
    private static final long MINUTE = Duration.ofMinutes(1).toMillis();
    private final MergeInputPartitioner partitioner = new MergeInputPartitioner(List.of(Dimension.TOTAL, Dimension.CATEGORY));

    @Test
    void shouldSendEveryWindowOfAValueWhoseHoppingWindowsAreCombinedFromPanesToOnePartition() {
        // Given the tumbling partials of "books" over two hours, from several input partitions
        Set<Set<Integer>> chosen = new HashSet<>();
        for (long start = W1; start < W1 + 120 * MINUTE; start += MINUTE) {
            for (int source = 0; source < 4; source++) {
                AggregateKey key = new AggregateKey(Dimension.CATEGORY, WindowKind.TUMBLING, "books", start);

                // When each is partitioned
                chosen.add(partitioner.partitions(TOPIC, key.routingKey(), new PartialUpdate(key, source, new Partial()),
                        PARTITIONS).orElseThrow());
            }
        }

        // Then all went to the same single partition: every hopping window of books finds all its panes there
        assertThat(chosen).hasSize(1);
        assertThat(chosen.iterator().next()).hasSize(1);
    }

    @Test
    void shouldSpreadTheValuesOfADimensionAndLeaveOtherDimensionsToKeyPartitioning() {
        // Given the same window of several categories, and of a country (no hopping windows from panes)
        Set<Integer> categories = new HashSet<>();
        for (String category : List.of("books", "games", "toys", "music", "garden", "kitchen", "sports", "office")) {
            AggregateKey key = new AggregateKey(Dimension.CATEGORY, WindowKind.TUMBLING, category, W1);
            categories.addAll(partitioner.partitions(TOPIC, key.routingKey(), new PartialUpdate(key, 0, new Partial()),
                    PARTITIONS).orElseThrow());
        }
        AggregateKey country = new AggregateKey(Dimension.COUNTRY, WindowKind.TUMBLING, "NL", W1);

        // Then the categories use several partitions, and the country's partial is partitioned by its key
        assertThat(categories).hasSizeGreaterThan(1);
        assertThat(partitioner.partitions(TOPIC, country.routingKey(), new PartialUpdate(country, 0, new Partial()),
                PARTITIONS)).isEqualTo(Optional.empty());
    }

    @Test
    void shouldSendProgressToEveryPartition() {
        // Given an input partition's progress; When it is partitioned; Then every final-stage task gets it
        assertThat(partitioner.partitions(TOPIC, WindowOrders.PROGRESS_KEY, new Progress(3, W1), PARTITIONS).orElseThrow())
                .hasSize(PARTITIONS);
    }
}
