package dev.streamfold.common.deadletter;

import dev.streamfold.common.accounting.RecordAccounting;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;

/**
 * What Kafka Streams' exception handlers learn from the configuration they are created with: the service they name
 * in dead letters (the application id) and where they count what they dead-letter (an object put in the Streams
 * properties under {@link RecordAccounting#CONFIG_KEY}; without one, counts stay in memory).
 */
record HandlerSettings(String service, RecordAccounting accounting) {

    static HandlerSettings unconfigured() {
        return new HandlerSettings("unknown", RecordAccounting.inMemory("unknown"));
    }

    static HandlerSettings from(Map<String, ?> configs) {
        Object applicationId = configs.get(StreamsConfig.APPLICATION_ID_CONFIG);
        String service = applicationId == null ? "unknown" : applicationId.toString();
        RecordAccounting accounting = configs.get(RecordAccounting.CONFIG_KEY) instanceof RecordAccounting configured
                ? configured : RecordAccounting.inMemory(service);
        return new HandlerSettings(service, accounting);
    }
}
