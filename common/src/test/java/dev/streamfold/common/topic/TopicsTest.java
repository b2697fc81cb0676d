package dev.streamfold.common.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.OrderSource;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

class TopicsTest {

    private final Topics topics = new Topics(AvroBinarySerde.factory(), "team-a.");

    @Test
    void shouldCoPartitionOrdersWithCustomers() {
        // Then the main join needs no repartition topic
        assertThat(topics.orders().partitions()).isEqualTo(topics.customers().partitions());
    }

    @Test
    void shouldPrefixEveryTopicName() {
        assertThat(topics.all()).allSatisfy(topic -> assertThat(topic.name()).startsWith("team-a."));
        assertThat(topics.ordersEnriched().deadLetterTopicName()).isEqualTo("team-a.orders.enriched.dlq");
    }

    @Test
    void shouldCreateCompactedTablesAndDeleteRetainedEventLogs() {
        NewTopic customers = topics.customers().newTopic(TopicSettings.singleBroker());
        NewTopic orders = topics.orders().newTopic(TopicSettings.singleBroker());
        assertThat(customers.configs()).containsEntry("cleanup.policy", "compact");
        assertThat(orders.configs()).containsEntry("cleanup.policy", "delete");
        assertThat(orders.numPartitions()).isEqualTo(Topics.CUSTOMER_KEYED_PARTITIONS);
    }

    @Test
    void shouldCreateEveryTopicAndItsDeadLettersWithTheSharedReplicationSettings() {
        // Given production settings: three copies, two in sync, dead letters kept for two years
        TopicSettings production = new TopicSettings((short) 3, 2, Duration.ofDays(730));
        // When a topic and its dead-letter topic are declared
        NewTopic orders = topics.orders().newTopic(production);
        NewTopic deadLetters = topics.orders().newDeadLetterTopic(production);
        // Then both carry them
        assertThat(orders.replicationFactor()).isEqualTo((short) 3);
        assertThat(orders.configs()).containsEntry("min.insync.replicas", "2");
        assertThat(deadLetters.replicationFactor()).isEqualTo((short) 3);
        assertThat(deadLetters.configs()).containsEntry("min.insync.replicas", "2")
                .containsEntry("retention.ms", Long.toString(Duration.ofDays(730).toMillis()));
    }

    @Test
    void shouldRefuseMoreInSyncReplicasThanCopies() {
        assertThatThrownBy(() -> new TopicSettings((short) 2, 3, Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("min.insync.replicas");
    }

    @Test
    void shouldRoundTripAnOrderThroughItsSerde() {
        Order order = Order.newBuilder().setEventId("e-1").setOrderId(1).setCustomerId(7).setProductId(3)
                .setQuantity(2).setAmountMinor(2500).setCurrency("EUR").setStatus("PLACED")
                .setEventTime(Instant.parse("2026-11-21T10:00:00Z")).setSource(OrderSource.DIRECT).build();
        Topic<String, Order> orders = topics.orders();
        byte[] bytes = orders.valueSerde().serializer().serialize(orders.name(), order);
        assertThat(orders.valueSerde().deserializer().deserialize(orders.name(), bytes)).isEqualTo(order);
    }
}
