package dev.streamfold.common.streams;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.deadletter.DeadLetterDeserializationHandler;
import dev.streamfold.common.deadletter.DeadLetterProcessingHandler;
import dev.streamfold.common.deadletter.DeadLetterProductionHandler;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** The settings every Streamfold Kafka Streams application shares: exactly-once v2 and dead-lettering of bad records. */
public final class StreamsDefaults {

    private StreamsDefaults() {
    }

    public static Properties exactlyOnce(String applicationId, String bootstrapServers, String stateDir, short replicationFactor) {
        return exactlyOnce(applicationId, bootstrapServers, stateDir, replicationFactor, null);
    }

    /** @param accounting where the dead-letter handlers count what they dead-letter (none: counted in memory only) */
    public static Properties exactlyOnce(String applicationId, String bootstrapServers, String stateDir, short replicationFactor,
            RecordAccounting accounting) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) replicationFactor);
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterDeserializationHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingHandler.class);
        props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProductionHandler.class);
        if (accounting != null) {
            props.put(RecordAccounting.CONFIG_KEY, accounting);
        }
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        return props;
    }
}
