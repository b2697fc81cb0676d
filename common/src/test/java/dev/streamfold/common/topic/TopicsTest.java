package dev.streamfold.common.topic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.OrderSource;
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
        NewTopic customers = topics.customers().newTopic((short) 1);
        NewTopic orders = topics.orders().newTopic((short) 1);
        assertThat(customers.configs()).containsEntry("cleanup.policy", "compact");
        assertThat(orders.configs()).containsEntry("cleanup.policy", "delete");
        assertThat(orders.numPartitions()).isEqualTo(Topics.CUSTOMER_KEYED_PARTITIONS);
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
