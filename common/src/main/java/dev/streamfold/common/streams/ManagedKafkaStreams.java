package dev.streamfold.common.streams;

import dev.streamfold.common.config.StreamfoldProperties;
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
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationEventPublisherAware;
import org.springframework.context.SmartLifecycle;

/**
 * Runs one topology for the life of the Spring context, reports its state as health (and, through
 * {@link #readiness()} and {@link StreamsAvailability}, as readiness and liveness) and its metrics to Micrometer. Topologies themselves are built by plain factories that know nothing of Spring.
 */
public final class ManagedKafkaStreams implements SmartLifecycle, HealthIndicator, ApplicationEventPublisherAware {

    private static final Logger log = LoggerFactory.getLogger(ManagedKafkaStreams.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration THREAD_REPLACEMENT_PAUSE = Duration.ofSeconds(2);

    private final KafkaStreams streams;
    private final KafkaStreamsMetrics metrics;
    private final StreamsAvailability availability;
    private final SourceTopics sources;
    private volatile Thread starter;
    private volatile boolean started;

    public ManagedKafkaStreams(Topology topology, Properties properties, MeterRegistry meterRegistry) {
        this(topology, properties, meterRegistry, StreamfoldProperties.ThreadFailure.REPLACE_THREAD);
    }

    /** @param onThreadFailure {@code streamfold.streams.on-thread-failure}: replace a dead stream thread, or stop */
    public ManagedKafkaStreams(Topology topology, Properties properties, MeterRegistry meterRegistry,
            StreamfoldProperties.ThreadFailure onThreadFailure) {
        log.info("Topology of {}:\n{}", properties.get("application.id"), topology.describe());
        this.streams = new KafkaStreams(topology, properties);
        this.metrics = new KafkaStreamsMetrics(streams);
        metrics.bindTo(meterRegistry);
        this.availability = new StreamsAvailability(String.valueOf(properties.get("application.id")));
        streams.setStateListener(availability);
        streams.setUncaughtExceptionHandler(new ReplaceThreadOnFailure(THREAD_REPLACEMENT_PAUSE, onThreadFailure,
                meterRegistry, String.valueOf(properties.get("application.id"))));
        this.sources = new SourceTopics(topology.describe(), properties);
    }

    /**
     * Starts the client once the topics it reads exist (other services create them), without holding up the rest of
     * the application: until then health says CREATED and readiness is DOWN.
     */
    @Override
    public void start() {
        started = true;
        starter = Thread.ofVirtual().name("await-source-topics").start(() -> {
            if (sources.awaitAll()) {
                streams.start();
            }
        });
    }

    @Override
    public void setApplicationEventPublisher(ApplicationEventPublisher publisher) {
        availability.publishTo(publisher);
    }

    @Override
    public void stop() {
        availability.stopping();
        Thread waiting = starter;
        if (waiting != null) {
            waiting.interrupt();
            try {
                waiting.join(CLOSE_TIMEOUT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        started = false;
        streams.close(CloseOptions.timeout(CLOSE_TIMEOUT));
        metrics.close();
    }

    /** Running from start() on, also while waiting for its topics, so that Spring calls stop() at shutdown. */
    @Override
    public boolean isRunning() {
        return started;
    }

    /** UP while the client runs or rebalances; DOWN before it started (waiting for its topics), once stopped or failed. */
    @Override
    public Health health() {
        KafkaStreams.State state = streams.state();
        Health.Builder health = (state.isRunningOrRebalancing() ? Health.up() : Health.down()).withDetail("state", state.name());
        if (state == KafkaStreams.State.CREATED && started) {
            health.withDetail("waitingForTopics", sources.names());
        }
        return health.build();
    }

    /**
     * For the readiness group: UP only while RUNNING. A client that is restoring its stores or rebalancing cannot
     * answer for its state (queries would be partial, a service behind it would see a gap), but it is alive: liveness
     * does not depend on this.
     */
    public HealthIndicator readiness() {
        return () -> {
            KafkaStreams.State state = streams.state();
            return (state == KafkaStreams.State.RUNNING ? Health.up() : Health.outOfService())
                    .withDetails(Map.of("state", state.name())).build();
        };
    }

    public KafkaStreams kafkaStreams() {
        return streams;
    }
}
