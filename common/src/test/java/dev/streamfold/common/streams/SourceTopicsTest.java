package dev.streamfold.common.streams;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.junit.jupiter.api.Test;

class SourceTopicsTest {

    @Test
    void shouldAwaitTheTopicsOthersWriteButNotTheTopologysOwnRepartitionTopics() {
        // Given a topology reading two topics and a global table, and repartitioning one stream itself
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("orders", Consumed.with(Serdes.String(), Serdes.String()))
                .repartition(Repartitioned.<String, String>as("rerouted").withKeySerde(Serdes.String()).withValueSerde(Serdes.String()))
                .to("orders.enriched");
        builder.table("customers", Consumed.with(Serdes.String(), Serdes.String()));
        builder.globalTable("products", Consumed.with(Serdes.String(), Serdes.String()), Materialized.as("products-store"));
        // When its sources are listed
        // Then they are exactly the topics other services create
        assertThat(SourceTopics.sourcesOf(builder.build().describe())).containsExactly("customers", "orders", "products");
    }
}
