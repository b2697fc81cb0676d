package dev.streamfold.enrichment.join;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.order.OrderRules;
import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.common.topic.Topics;
import java.time.Duration;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

class EnrichmentTopologyNamingTest {

    private final TopologyDescription topology = EnrichmentTopology.build(new Topics(AvroBinarySerde.factory()),
            new ReferenceWait(Duration.ofSeconds(30), Duration.ofSeconds(1)), OrderRules.defaults(),
            RecordAccounting.inMemory("test"), deadLetter -> { }).describe();
    private final String description = topology.toString();

    @Test
    void shouldNameEveryProcessorAndStore() {
        // Then no generated name (KSTREAM-…, KTABLE-…) leaks into metrics, logs or internal topic names
        assertThat(description).doesNotContainPattern("K(STREAM|TABLE)-[A-Z]+-\\d+");
        assertThat(description).contains(EnrichmentTopology.ORDERS_SOURCE, EnrichmentTopology.CUSTOMERS_TABLE,
                EnrichmentTopology.CUSTOMERS_STORE, EnrichmentTopology.CUSTOMERS_SOURCE, EnrichmentTopology.VALIDATE_CUSTOMER,
                EnrichmentTopology.PRODUCTS_SOURCE, EnrichmentTopology.PRODUCTS_STORE,
                EnrichmentTopology.VALIDATE_ORDER, EnrichmentTopology.JOIN_REFERENCES,
                EnrichmentTopology.AWAITING_REFERENCES_STORE, EnrichmentTopology.ENRICHED_BRANCH,
                EnrichmentTopology.DEAD_LETTER_BRANCH, EnrichmentTopology.UNWRAP_ENRICHED,
                EnrichmentTopology.UNWRAP_DEAD_LETTER, EnrichmentTopology.ENRICHED_ORDERS_SINK,
                EnrichmentTopology.DEAD_LETTERS_SINK);
    }

    @Test
    void shouldJoinCoPartitionedOrdersAndCustomersWithoutRepartitioning() {
        assertThat(description).doesNotContain("repartition");
    }

    @Test
    void shouldReadOrdersAndCustomersInOneSubTopology() {
        // Then a task sees its customers partition next to its orders partition (and max.task.idle.ms applies)
        assertThat(topology.subtopologies()).hasSize(1);
    }
}
