package dev.streamfold.common.deadletter;

import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;

/** Kafka Streams handlers name their service in dead letters after the application id they were configured with. */
final class ServiceName {

    private ServiceName() {
    }

    static String fromStreamsConfig(Map<String, ?> configs) {
        Object applicationId = configs.get(StreamsConfig.APPLICATION_ID_CONFIG);
        return applicationId == null ? "unknown" : applicationId.toString();
    }
}
