package dev.streamfold.enrichment.join;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.streamfold.common.deadletter.DeadLetterSource;
import dev.streamfold.schemas.Order;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Tells an order on the partition that owns its customer (where Java's and kafkajs's default partitioners put it, and
 * where that customer's row is) from one a publisher put elsewhere: librdkafka's default partitioner (Confluent's
 * Python, Go, .NET and Node clients) hashes keys with CRC32, not murmur2. Such an order is re-routed to its owner, not
 * dead-lettered; where it was first read travels with it in headers, for its dead letter should it ever need one.
 */
final class RouteToOwnPartition implements FixedKeyProcessor<String, Order, RoutedOrder> {

    static final String REROUTED_FROM_TOPIC = "streamfold.rerouted.from.topic";
    static final String REROUTED_FROM_PARTITION = "streamfold.rerouted.from.partition";
    static final String REROUTED_FROM_OFFSET = "streamfold.rerouted.from.offset";

    private final int partitions;
    private FixedKeyProcessorContext<String, RoutedOrder> context;

    RouteToOwnPartition(int partitions) {
        this.partitions = partitions;
    }

    /** The partition Kafka's default partitioner gives a key: the partition that owns the customer. */
    static int ownerOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(UTF_8))) % partitions;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, RoutedOrder> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, Order> record) {
        RecordMetadata source = context.recordMetadata().orElseThrow();
        boolean onOwner = source.partition() == ownerOf(record.key(), partitions);
        if (!onOwner) {
            markRerouted(record.headers(), source);
        }
        context.forward(record.withValue(new RoutedOrder(record.value(), onOwner)));
    }

    private static void markRerouted(Headers headers, RecordMetadata source) {
        headers.add(REROUTED_FROM_TOPIC, source.topic().getBytes(UTF_8));
        headers.add(REROUTED_FROM_PARTITION, Integer.toString(source.partition()).getBytes(UTF_8));
        headers.add(REROUTED_FROM_OFFSET, Long.toString(source.offset()).getBytes(UTF_8));
    }

    /** Where a re-routed order was first read, from its headers; empty for an order read where it belongs. */
    static Optional<DeadLetterSource> firstReadAt(Headers headers, String service) {
        Header topic = headers.lastHeader(REROUTED_FROM_TOPIC);
        Header partition = headers.lastHeader(REROUTED_FROM_PARTITION);
        Header offset = headers.lastHeader(REROUTED_FROM_OFFSET);
        if (topic == null || partition == null || offset == null) {
            return Optional.empty();
        }
        return Optional.of(new DeadLetterSource(service, new String(topic.value(), UTF_8),
                Integer.parseInt(new String(partition.value(), UTF_8)), Long.parseLong(new String(offset.value(), UTF_8))));
    }
}
