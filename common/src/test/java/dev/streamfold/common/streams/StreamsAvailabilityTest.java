package dev.streamfold.common.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams.State;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.health.contributor.Status;

class StreamsAvailabilityTest {

    @TempDir
    java.nio.file.Path stateDir;

    private final List<Object> events = new ArrayList<>();
    private final StreamsAvailability availability = new StreamsAvailability("test-app");

    @Test
    void shouldMarkLivenessBrokenWhenTheClientFailsForGood() {
        // Given a client that runs
        availability.publishTo(events::add);
        availability.onChange(State.RUNNING, State.REBALANCING);
        // When it fails for good
        availability.onChange(State.PENDING_ERROR, State.RUNNING);
        availability.onChange(State.ERROR, State.PENDING_ERROR);
        // Then the application's liveness is BROKEN, once
        assertThat(events).singleElement().satisfies(event ->
                assertThat(((AvailabilityChangeEvent<?>) event).getState()).isEqualTo(LivenessState.BROKEN));
    }

    @Test
    void shouldNotMarkLivenessBrokenWhileRebalancingRestoringOrStoppingAsAsked() {
        // Given a client that rebalances and restores, then is stopped by the application
        availability.publishTo(events::add);
        availability.onChange(State.REBALANCING, State.CREATED);
        availability.onChange(State.RUNNING, State.REBALANCING);
        availability.onChange(State.REBALANCING, State.RUNNING);
        availability.stopping();
        availability.onChange(State.PENDING_SHUTDOWN, State.REBALANCING);
        availability.onChange(State.NOT_RUNNING, State.PENDING_SHUTDOWN);
        // Then nothing says it is broken
        assertThat(events).isEmpty();
    }

    @Test
    void shouldMarkLivenessBrokenWhenTheClientStopsWithoutBeingAsked() {
        availability.publishTo(events::add);
        availability.onChange(State.NOT_RUNNING, State.PENDING_SHUTDOWN);
        assertThat(events).hasSize(1);
    }

    @Test
    void shouldBeNeitherHealthyNorReadyBeforeTheClientStarts() {
        // Given a client created but not started (no broker needed)
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in").to("out");
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "test-app");
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
        properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        ManagedKafkaStreams streams = new ManagedKafkaStreams(builder.build(), properties, new SimpleMeterRegistry());
        // Then health is DOWN and readiness OUT_OF_SERVICE, both saying CREATED
        assertThat(streams.health().getStatus()).isEqualTo(Status.DOWN);
        assertThat(streams.readiness().health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
        assertThat(streams.readiness().health().getDetails()).containsEntry("state", "CREATED");
        streams.kafkaStreams().close();
    }
}
