package dev.streamfold.common.topic;

/** Kafka's {@code cleanup.policy}: an event log keeps every record, a compacted table keeps the latest per key. */
public enum CleanupPolicy {
    DELETE("delete"),
    COMPACT("compact");

    private final String configValue;

    CleanupPolicy(String configValue) {
        this.configValue = configValue;
    }

    public String configValue() {
        return configValue;
    }
}
