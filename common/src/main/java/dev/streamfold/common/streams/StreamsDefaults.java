package dev.streamfold.common.streams;

import dev.streamfold.common.config.StreamfoldProperties;
import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.deadletter.DeadLetterDeserializationHandler;
import dev.streamfold.common.deadletter.DeadLetterProcessingHandler;
import dev.streamfold.common.deadletter.DeadLetterProductionHandler;
import dev.streamfold.common.topic.TopicSettings;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

/** The settings every Streamfold Kafka Streams application shares: exactly-once v2 and dead-lettering of bad records. */
public final class StreamsDefaults {

    private StreamsDefaults() {
    }

    public static Properties exactlyOnce(String applicationId, String bootstrapServers, String stateDir, short replicationFactor) {
        return exactlyOnce(applicationId, bootstrapServers, stateDir, replicationFactor, null);
    }

    /** A single broker's settings, for tests: see {@link #exactlyOnce(String, Map, String, TopicSettings, int, RecordAccounting)}. */
    public static Properties exactlyOnce(String applicationId, String bootstrapServers, String stateDir, short replicationFactor,
            RecordAccounting accounting) {
        return exactlyOnce(applicationId, Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), stateDir,
                new TopicSettings(replicationFactor, 1, TopicSettings.DEFAULT_DEAD_LETTER_RETENTION), 0, accounting);
    }

    /**
     * @param clientProperties   what every Kafka client of the service uses: bootstrap servers, security protocol, TLS
     *                           and SASL settings ({@code KafkaProperties#buildStreamsProperties}); the settings below win
     * @param topics             replication and {@code min.insync.replicas} of the internal topics (changelogs,
     *                           repartition topics), the same as of every other Streamfold topic
     * @param numStandbyReplicas warm copies of each task's state on other instances
     * @param accounting         where the dead-letter handlers count what they dead-letter (none: in memory only)
     */
    public static Properties exactlyOnce(String applicationId, Map<String, ?> clientProperties, String stateDir,
            TopicSettings topics, int numStandbyReplicas, RecordAccounting accounting) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) topics.replicationFactor());
        props.put(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG), Integer.toString(topics.minInsyncReplicas()));
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, numStandbyReplicas);
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterDeserializationHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingHandler.class);
        props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProductionHandler.class);
        if (accounting != null) {
            props.put(RecordAccounting.CONFIG_KEY, accounting);
        }
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        return props;
    }

    /**
     * The service's {@code streamfold.streams.*} settings: its processing guarantee ({@link #withGuarantee}) and one
     * off-heap budget for all its RocksDB stores ({@link BoundedRocksDbMemory}).
     */
    public static Properties forService(Properties properties, StreamfoldProperties.Streams streams,
            BoundedRocksDbMemory.Budget rocksDbMemory) {
        properties.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class);
        properties.put(BoundedRocksDbMemory.CONFIG_KEY, rocksDbMemory);
        return withGuarantee(properties, streams.processingGuarantee());
    }

    /**
     * Overrides the exactly-once default with the configured guarantee; anything else than exactly-once is logged,
     * since the figures are then exact only as long as nothing crashes.
     */
    public static Properties withGuarantee(Properties properties, StreamfoldProperties.ProcessingGuarantee guarantee) {
        if (guarantee != StreamfoldProperties.ProcessingGuarantee.EXACTLY_ONCE_V2) {
            org.slf4j.LoggerFactory.getLogger(StreamsDefaults.class).warn("Kafka Streams application {} runs with"
                    + " processing.guarantee={}: a crash can count records twice; for measurements only",
                    properties.get(StreamsConfig.APPLICATION_ID_CONFIG), guarantee.config());
        }
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee.config());
        return properties;
    }
}
