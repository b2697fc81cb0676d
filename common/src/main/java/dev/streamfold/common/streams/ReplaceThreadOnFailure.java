package dev.streamfold.common.streams;

import dev.streamfold.common.deadletter.Faults;
import java.time.Duration;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream thread that dies is replaced, so that a fault of the moment (registry unreachable, broker timeouts) heals
 * by itself: the failed transaction is aborted and the new thread resumes from the last commit, so nothing is lost or
 * counted twice. Faults of a record never get here (they are dead-lettered). A pause before the replacement keeps a
 * lasting outage from turning into a tight loop of rebalances.
 */
final class ReplaceThreadOnFailure implements StreamsUncaughtExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ReplaceThreadOnFailure.class);

    private final Duration pause;

    ReplaceThreadOnFailure(Duration pause) {
        this.pause = pause;
    }

    @Override
    public StreamThreadExceptionResponse handle(Throwable exception) {
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
