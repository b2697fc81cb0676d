package dev.streamfold.ingest.capture;

import io.debezium.engine.DebeziumEngine;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * UP while the Debezium engine polls the database; DOWN while it starts, after it stopped and while it waits to be
 * started again after a failure (with the failure, how many in a row, and when it starts again). It is in the readiness
 * group; liveness does not depend on it, because {@link ChangeCaptureEngine} restarts a failed engine by itself, except
 * when it fails for good ({@code FAILED_FOR_GOOD}: its replication slot is gone), which breaks liveness.
 */
final class CaptureHealthIndicator implements HealthIndicator, DebeziumEngine.ConnectorCallback, DebeziumEngine.CompletionCallback {

    private static final Logger log = LoggerFactory.getLogger(CaptureHealthIndicator.class);

    private enum State { STARTING, RUNNING, STOPPED, FAILED, FAILED_FOR_GOOD }

    private volatile State state = State.STOPPED;
    private volatile String failure;
    private volatile String restart;

    /** After a failure: the engine starts again after {@code pause}; the failure stays reported until then. */
    void restartingIn(Duration pause, int failuresInARow) {
        restart = "in " + pause + " (failure " + failuresInARow + " in a row)";
    }

    void starting() {
        failure = null;
        restart = null;
        state = State.STARTING;
    }

    boolean hasFinished() {
        return state == State.STOPPED || state == State.FAILED || state == State.FAILED_FOR_GOOD;
    }

    /** The capture cannot start again by itself (its slot is gone): only an operator can help, as the error says. */
    void failedForGood(String why) {
        failure = why;
        restart = "never: an operator must act";
        state = State.FAILED_FOR_GOOD;
    }

    @Override
    public void pollingStarted() {
        log.info("Change capture running");
        state = State.RUNNING;
    }

    @Override
    public void handle(boolean success, String message, Throwable error) {
        if (success) {
            log.info("Change capture stopped: {}", message);
            state = State.STOPPED;
        } else {
            log.error("Change capture failed: {}", message, error);
            failure = error == null ? message : message + ": " + error;
            state = State.FAILED;
        }
    }

    @Override
    public Health health() {
        Health.Builder health = state == State.RUNNING ? Health.up() : Health.down();
        health.withDetail("state", state.name());
        String error = failure;
        if (error != null) {
            health.withDetail("error", error);
        }
        String next = restart;
        if (next != null) {
            health.withDetail("restart", next);
        }
        return health.build();
    }
}
