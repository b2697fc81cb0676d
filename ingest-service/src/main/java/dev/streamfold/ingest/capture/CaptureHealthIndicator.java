package dev.streamfold.ingest.capture;

import io.debezium.engine.DebeziumEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationEventPublisherAware;

/**
 * UP while the Debezium engine polls the database; DOWN while it starts, after it stopped and when it died. It is in
 * the readiness group; an engine that died marks the service's liveness BROKEN too, so that an orchestrator restarts
 * it (the engine does not restart itself yet), resuming from the committed offsets.
 */
final class CaptureHealthIndicator implements HealthIndicator, DebeziumEngine.ConnectorCallback, DebeziumEngine.CompletionCallback,
        ApplicationEventPublisherAware {

    private static final Logger log = LoggerFactory.getLogger(CaptureHealthIndicator.class);

    private enum State { STARTING, RUNNING, STOPPED, FAILED }

    private volatile State state = State.STOPPED;
    private volatile String failure;
    private volatile ApplicationEventPublisher events;

    @Override
    public void setApplicationEventPublisher(ApplicationEventPublisher events) {
        this.events = events;
    }

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
            ApplicationEventPublisher publisher = events;
            if (publisher != null) {
                AvailabilityChangeEvent.publish(publisher, this, LivenessState.BROKEN);
            }
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
