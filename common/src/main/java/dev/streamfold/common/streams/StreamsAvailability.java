package dev.streamfold.common.streams;

import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Tells the orchestrator when only a restart helps: a Kafka Streams client that has failed for good ({@code ERROR}, or
 * {@code NOT_RUNNING} without having been asked to stop) marks the application's liveness BROKEN, so that
 * {@code /actuator/health/liveness} answers 503. Threads that die on an unexpected exception are replaced first (see
 * {@link ReplaceThreadOnFailure}); this is for what replacing threads cannot fix. Liveness never comes back by
 * itself: the process must be restarted.
 */
final class StreamsAvailability implements KafkaStreams.StateListener {

    private static final Logger log = LoggerFactory.getLogger(StreamsAvailability.class);

    private final String applicationId;
    private volatile ApplicationEventPublisher publisher;
    private volatile boolean stopping;

    StreamsAvailability(String applicationId) {
        this.applicationId = applicationId;
    }

    void publishTo(ApplicationEventPublisher publisher) {
        this.publisher = publisher;
    }

    /** From now on NOT_RUNNING is the stop we asked for, not a failure. */
    void stopping() {
        stopping = true;
    }

    @Override
    public void onChange(KafkaStreams.State newState, KafkaStreams.State oldState) {
        log.info("Kafka Streams {}: {} -> {}", applicationId, oldState, newState);
        boolean failed = newState == KafkaStreams.State.ERROR || (newState == KafkaStreams.State.NOT_RUNNING && !stopping);
        ApplicationEventPublisher events = publisher;
        if (failed && events != null) {
            log.error("Kafka Streams {} is {}: marking the service's liveness BROKEN, only a restart helps", applicationId, newState);
            AvailabilityChangeEvent.publish(events, this, LivenessState.BROKEN);
        }
    }
}
