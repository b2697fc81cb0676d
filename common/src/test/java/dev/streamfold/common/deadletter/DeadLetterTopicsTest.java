package dev.streamfold.common.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;

class DeadLetterTopicsTest {

    @Test
    void shouldDeriveADeadLetterTopicForEveryTopicReadOrWrittenIncludingRepartitionTopics() {
        // Given a topology reading one topic, repartitioning, writing an output and a dead-letter topic
        StreamsBuilder builder = new StreamsBuilder();
        var input = builder.stream("p.orders", Consumed.with(Serdes.String(), Serdes.String()).withName("source"));
        input.to("p.orders.dlq", Produced.with(Serdes.String(), Serdes.String()).withName("dlq-sink"));
        input.groupBy((key, value) -> value, Grouped.with("by-value", Serdes.String(), Serdes.String()))
                .count(Named.as("count")).toStream(Named.as("changes"))
                .to("p.counts", Produced.with(Serdes.String(), Serdes.Long()).withName("counts-sink"));

        // Then the input, the repartition topic by its name on the broker and the output each get one; .dlq topics none
        assertThat(DeadLetterTopics.topicsOf(builder.build(), "app"))
                .containsExactlyInAnyOrder("p.orders", "app-by-value-repartition", "p.counts");
    }
}
