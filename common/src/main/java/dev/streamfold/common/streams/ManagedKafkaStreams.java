package dev.streamfold.common.streams;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.SmartLifecycle;

/**
 * Runs one topology for the life of the Spring context, reports its state as health and its metrics to
 * Micrometer. Topologies themselves are built by plain factories that know nothing of Spring.
 */
public final class ManagedKafkaStreams implements SmartLifecycle, HealthIndicator {

    private static final Logger log = LoggerFactory.getLogger(ManagedKafkaStreams.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration THREAD_REPLACEMENT_PAUSE = Duration.ofSeconds(2);

    private final KafkaStreams streams;
    private final KafkaStreamsMetrics metrics;

    public ManagedKafkaStreams(Topology topology, Properties properties, MeterRegistry meterRegistry) {
        log.info("Topology of {}:\n{}", properties.get("application.id"), topology.describe());
        this.streams = new KafkaStreams(topology, properties);
        this.metrics = new KafkaStreamsMetrics(streams);
        metrics.bindTo(meterRegistry);
        streams.setStateListener((now, before) -> log.info("Kafka Streams {} -> {}", before, now));
        streams.setUncaughtExceptionHandler(new ReplaceThreadOnFailure(THREAD_REPLACEMENT_PAUSE));
    }

    @Override
    public void start() {
        streams.start();
    }

    @Override
    public void stop() {
        streams.close(CloseOptions.timeout(CLOSE_TIMEOUT));
        metrics.close();
    }

    @Override
    public boolean isRunning() {
        return streams.state().isRunningOrRebalancing();
    }

    @Override
    public Health health() {
        KafkaStreams.State state = streams.state();
        Health.Builder health = state.isRunningOrRebalancing() || state == KafkaStreams.State.CREATED ? Health.up() : Health.down();
        return health.withDetails(Map.of("state", state.name())).build();
    }

    public KafkaStreams kafkaStreams() {
        return streams;
    }
}
