package dev.streamfold.query.aggregates;

import dev.streamfold.schemas.CustomerLifetime;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.StateQueryRequest;

/**
 * Reads one customer's lifetime totals from the {@code customer-lifetimes} store. Unlike a window query, a customer's
 * totals live on one partition (the topic is keyed by customer id, written by aggregation with Kafka's default
 * partitioner): only that partition must be active here. If another instance hosts it, the answer is 503, as for the
 * windows; routing to the owner is future work.
 */
class CustomerLifetimeReader {

    private static final String STORE = "store " + AggregatesTopology.LIFETIME_STORE;

    private final InteractiveQueries queries;
    private final int partitions;

    /** @param partitions of {@code aggregates.customer.lifetime} */
    CustomerLifetimeReader(InteractiveQueries queries, int partitions) {
        this.queries = queries;
        this.partitions = partitions;
    }

    /** @param customerId a customer id in canonical decimal form, as the topic is keyed */
    Optional<CustomerLifetime> lifetime(String customerId) {
        int partition = partitionOf(customerId);
        StateQueryRequest<CustomerLifetime> request = StateQueryRequest
                .inStore(AggregatesTopology.LIFETIME_STORE)
                .withQuery(KeyQuery.<String, CustomerLifetime>withKey(customerId))
                .withPartitions(Set.of(partition))
                .requireActive();
        return Optional.ofNullable(queries.query(request, STORE, lifetime -> { }).get(partition));
    }

    /**
     * The partition of the key as Kafka's default partitioner (and Kafka Streams') puts a String key: murmur2 of its
     * UTF-8 bytes. Computed here rather than asked of {@code KafkaStreams#queryMetadataForKey}, which knows no
     * partitions unless {@code application.server} is set.
     */
    private int partitionOf(String customerId) {
        return Utils.toPositive(Utils.murmur2(customerId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
