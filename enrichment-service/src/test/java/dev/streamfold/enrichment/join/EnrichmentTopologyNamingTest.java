package dev.streamfold.enrichment.join;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.order.OrderRules;
import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.common.topic.Topics;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

class EnrichmentTopologyNamingTest {

    private final TopologyDescription topology = EnrichmentTopology.build(new Topics(AvroBinarySerde.factory()),
            new ReferenceWait(Duration.ofSeconds(30), Duration.ofSeconds(1)), Duration.ofDays(36_500), OrderRules.defaults(),
            RecordAccounting.inMemory("test"), deadLetter -> { }).describe();
    private final String description = topology.toString();

    @Test
    void shouldNameEveryProcessorAndStore() {
        // Then no generated name (KSTREAM-…, KTABLE-…) leaks into metrics, logs or internal topic names
        assertThat(description).doesNotContainPattern("K(STREAM|TABLE)-[A-Z]+-\\d+");
        assertThat(description).contains(EnrichmentTopology.ORDERS_SOURCE, EnrichmentTopology.KEEP_CUSTOMER_VERSIONS,
                EnrichmentTopology.CUSTOMERS_STORE, EnrichmentTopology.CUSTOMERS_SOURCE, EnrichmentTopology.VALIDATE_CUSTOMER,
                EnrichmentTopology.PRODUCTS_SOURCE, EnrichmentTopology.PRODUCTS_STORE,
                EnrichmentTopology.VALIDATE_ORDER, EnrichmentTopology.STAMP_SOURCE_STREAM_TIME,
                EnrichmentTopology.SOURCE_STREAM_TIME_STORE, EnrichmentTopology.CHECK_OWNER_PARTITION,
                EnrichmentTopology.UNWRAP_ON_OWNER, EnrichmentTopology.UNWRAP_REROUTED, EnrichmentTopology.MERGE_ROUTES,
                EnrichmentTopology.REROUTED_ORDERS, EnrichmentTopology.JOIN_REFERENCES,
                EnrichmentTopology.AWAITING_REFERENCES_STORE, EnrichmentTopology.ENRICHED_BRANCH,
                EnrichmentTopology.DEAD_LETTER_BRANCH, EnrichmentTopology.UNWRAP_ENRICHED,
                EnrichmentTopology.UNWRAP_DEAD_LETTER, EnrichmentTopology.ENRICHED_ORDERS_SINK,
                EnrichmentTopology.DEAD_LETTERS_SINK);
    }

    @Test
    void shouldRepartitionOnlyOrdersOnAPartitionThatDoesNotOwnTheirCustomer() {
        // Then the one repartition topic is the re-routing branch's; co-partitioned orders are joined where they are read
        List<String> repartitionTopics = topology.subtopologies().stream()
                .flatMap(subtopology -> subtopology.nodes().stream())
                .filter(node -> node instanceof TopologyDescription.Sink)
                .map(node -> ((TopologyDescription.Sink) node).topic())
                .filter(topic -> topic != null && topic.endsWith("-repartition"))
                .toList();
        assertThat(repartitionTopics).containsExactly(EnrichmentTopology.REROUTED_ORDERS + "-repartition");
    }

    @Test
    void shouldReadOrdersAndCustomersInOneSubTopology() {
        // Then a task sees its customers partition next to its orders partition (and max.task.idle.ms applies)
        assertThat(topology.subtopologies()).hasSize(1);
    }
}
