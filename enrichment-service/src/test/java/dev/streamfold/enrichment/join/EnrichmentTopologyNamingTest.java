package dev.streamfold.enrichment.join;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.common.topic.Topics;
import org.junit.jupiter.api.Test;

class EnrichmentTopologyNamingTest {

    private final String description = EnrichmentTopology.build(new Topics(AvroBinarySerde.factory())).describe().toString();

    @Test
    void shouldNameEveryProcessorAndStore() {
        // Then no generated name (KSTREAM-…, KTABLE-…) leaks into metrics, logs or internal topic names
        assertThat(description).doesNotContainPattern("K(STREAM|TABLE)-[A-Z]+-\\d+");
        assertThat(description).contains(EnrichmentTopology.ORDERS_SOURCE, EnrichmentTopology.CUSTOMERS_TABLE,
                EnrichmentTopology.CUSTOMERS_STORE, EnrichmentTopology.PRODUCTS_TABLE,
                EnrichmentTopology.PRODUCTS_STORE, EnrichmentTopology.VALIDATE_ORDER, EnrichmentTopology.JOIN_CUSTOMER, EnrichmentTopology.JOIN_PRODUCT,
                EnrichmentTopology.REQUIRE_REFERENCES, EnrichmentTopology.ENRICHED_ORDERS_SINK);
    }

    @Test
    void shouldJoinCoPartitionedOrdersAndCustomersWithoutRepartitioning() {
        assertThat(description).doesNotContain("repartition");
    }
}
