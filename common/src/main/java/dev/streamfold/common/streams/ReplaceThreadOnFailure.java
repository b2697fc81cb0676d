package dev.streamfold.common.streams;

import dev.streamfold.common.config.StreamfoldProperties;
import dev.streamfold.common.deadletter.Faults;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream thread that dies is replaced, so that a fault of the moment (registry unreachable, broker timeouts) heals
 * by itself: the failed transaction is aborted and the new thread resumes from the last commit, so nothing is lost or
 * counted twice. Faults of a record never get here (they are dead-lettered). A pause before the replacement keeps a
 * lasting outage from turning into a tight loop of rebalances. Configured with {@code shutdown-client} instead, the
 * client stops (ERROR, liveness DOWN) and the orchestrator restarts the service. Either way it is counted:
 * {@value #METER}{@code {service, response}}.
 */
final class ReplaceThreadOnFailure implements StreamsUncaughtExceptionHandler {

    static final String METER = "streamfold.stream.thread.failures";

    private static final Logger log = LoggerFactory.getLogger(ReplaceThreadOnFailure.class);

    private final Duration pause;
    private final StreamfoldProperties.ThreadFailure policy;
    private final Counter failures;

    ReplaceThreadOnFailure(Duration pause, StreamfoldProperties.ThreadFailure policy, MeterRegistry registry, String service) {
        this.pause = pause;
        this.policy = policy;
        this.failures = Counter.builder(METER)
                .description("Stream threads that died on an exception, by what was done about it")
                .tag("service", service)
                .tag("response", policy == StreamfoldProperties.ThreadFailure.REPLACE_THREAD ? "replace-thread" : "shutdown-client")
                .register(registry);
    }

    @Override
    public StreamThreadExceptionResponse handle(Throwable exception) {
        failures.increment();
        if (policy == StreamfoldProperties.ThreadFailure.SHUTDOWN_CLIENT) {
            log.error("A stream thread failed; stopping the client as configured (streamfold.streams.on-thread-failure)",
                    exception);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        if (Faults.isTransient(exception)) {
            log.warn("A stream thread failed on a transient fault; replacing it in {}: {}", pause, exception.toString());
        } else {
            log.error("A stream thread failed unexpectedly; replacing it in {}", pause, exception);
        }
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
}
