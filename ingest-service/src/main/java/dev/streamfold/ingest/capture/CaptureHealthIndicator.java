package dev.streamfold.ingest.capture;

import io.debezium.engine.DebeziumEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** UP while the Debezium engine polls the database; DOWN while it starts, after it stopped and when it died. */
final class CaptureHealthIndicator implements HealthIndicator, DebeziumEngine.ConnectorCallback, DebeziumEngine.CompletionCallback {

    private static final Logger log = LoggerFactory.getLogger(CaptureHealthIndicator.class);

    private enum State { STARTING, RUNNING, STOPPED, FAILED }

    private volatile State state = State.STOPPED;
    private volatile String failure;

    void starting() {
        failure = null;
        state = State.STARTING;
    }

    boolean hasFinished() {
        return state == State.STOPPED || state == State.FAILED;
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
        return health.build();
    }
}
