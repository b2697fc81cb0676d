package dev.streamfold.common.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamfold.common.config.StreamfoldProperties.ThreadFailure;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class ReplaceThreadOnFailureTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void shouldReplaceADeadThreadByDefaultAndCountIt() {
        // Given the default policy
        ReplaceThreadOnFailure handler = new ReplaceThreadOnFailure(Duration.ZERO, ThreadFailure.REPLACE_THREAD, registry, "app");
        // When a stream thread dies on an unexpected exception
        StreamThreadExceptionResponse response = handler.handle(new IllegalStateException("a bug"));
        // Then it is replaced, and the replacement counted
        assertThat(response).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        assertThat(failures("replace-thread")).isEqualTo(1.0);
    }

    @Test
    void shouldStopTheClientWhenConfiguredSoThatTheOrchestratorRestartsTheService() {
        // Given streamfold.streams.on-thread-failure=shutdown-client
        ReplaceThreadOnFailure handler = new ReplaceThreadOnFailure(Duration.ofMinutes(1), ThreadFailure.SHUTDOWN_CLIENT,
                registry, "app");
        // When a stream thread dies
        StreamThreadExceptionResponse response = handler.handle(new IllegalStateException("a bug"));
        // Then the client stops at once (ERROR, which breaks liveness), and the failure is counted
        assertThat(response).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        assertThat(failures("shutdown-client")).isEqualTo(1.0);
    }

    private double failures(String response) {
        return registry.get(ReplaceThreadOnFailure.METER).tag("service", "app").tag("response", response).counter().count();
    }
}
