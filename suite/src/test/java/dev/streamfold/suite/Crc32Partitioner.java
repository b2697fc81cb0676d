package dev.streamfold.suite;

import java.util.Map;
import java.util.zip.CRC32;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.common.Cluster;

/**
 * Partitions like librdkafka's default ({@code consistent_random}: CRC32 of the key modulo the partition count), the
 * partitioner of Confluent's Python, Go, .NET and Node clients: the same key usually lands on another partition than
 * Java's murmur2 would put it on.
 */
public final class Crc32Partitioner implements Partitioner {

    static int partitionOf(byte[] key, int partitions) {
        CRC32 crc = new CRC32();
        crc.update(key);
        return (int) (crc.getValue() % partitions);
    }

    @Override
    public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
        return partitionOf(keyBytes, cluster.partitionCountForTopic(topic));
    }

    @Override
    public void close() {
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
