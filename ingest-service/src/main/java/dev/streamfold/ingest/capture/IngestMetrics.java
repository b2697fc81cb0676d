package dev.streamfold.ingest.capture;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** Records Kafka acknowledged, per topic: published ones and dead letters (tagged with the topic they were meant for). */
final class IngestMetrics {

    static final String PRODUCED = "streamfold.ingest.records.produced";
    static final String DEAD_LETTERED = "streamfold.ingest.records.dead.lettered";

    private final MeterRegistry registry;

    IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void produced(String topic) {
        Counter.builder(PRODUCED).description("Change records produced to Kafka and acknowledged")
                .tag("topic", topic).register(registry).increment();
    }

    void deadLettered(String topic) {
        Counter.builder(DEAD_LETTERED).description("Change events that could not be mapped, sent to <topic>.dlq")
                .tag("topic", topic).register(registry).increment();
    }
}
