package dev.streamfold.ingest.capture;

import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the Debezium embedded engine on its own thread for the life of the Spring context. Each start builds a new
 * engine, which resumes from the positions committed in the offsets topic (a snapshot happens only the first time).
 *
 * <p>An engine that stops on a failure (a batch Kafka refused, the database gone) is started again after a pause that
 * grows with each failure in a row ({@link RestartBackoff}). Positions are committed only after Kafka acknowledged a
 * batch, so the new engine resumes where the last acknowledged change ended: nothing is skipped, and what was in
 * flight is published again (consumers apply each change once).
 *
 * <p>Before each start, {@link CaptureGuard} checks that the slot to resume from is still there. If it is gone, the
 * capture does not start at all (a new slot would silently skip what changed meanwhile): it fails for good, says why in
 * its health, and {@code onFailedForGood} runs (the service's liveness goes DOWN).
 */
final class ChangeCaptureEngine implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ChangeCaptureEngine.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLOSE_RETRY_PAUSE = Duration.ofMillis(100);

    private final Properties settings;
    private final ChangeBatchPublisher publisher;
    private final CaptureHealthIndicator health;
    private final RestartBackoff backoff;
    private final CaptureGuard guard;
    private final CaptureMetrics metrics;
    private final Runnable onFailedForGood;
    private final ScheduledExecutorService restarts =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("debezium-engine-restart").factory());
    private DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine;
    private ExecutorService executor;
    private volatile boolean stopping = true;
    private int failuresInARow;
    private volatile long streamingSinceNanos;

    ChangeCaptureEngine(Properties settings, ChangeBatchPublisher publisher, CaptureHealthIndicator health) {
        this(settings, publisher, health, RestartBackoff.DEFAULT);
    }

    ChangeCaptureEngine(Properties settings, ChangeBatchPublisher publisher, CaptureHealthIndicator health, RestartBackoff backoff) {
        this(settings, publisher, health, backoff, CaptureGuard.NONE, CaptureMetrics.NONE, () -> { });
    }

    ChangeCaptureEngine(Properties settings, ChangeBatchPublisher publisher, CaptureHealthIndicator health, RestartBackoff backoff,
            CaptureGuard guard, CaptureMetrics metrics, Runnable onFailedForGood) {
        this.settings = settings;
        this.publisher = publisher;
        this.health = health;
        this.backoff = backoff;
        this.guard = guard;
        this.metrics = metrics;
        this.onFailedForGood = onFailedForGood;
    }

    @Override
    public synchronized void start() {
        if (!stopping) {
            return;
        }
        stopping = false;
        launch();
    }

    private void launch() {
        health.starting();
        try {
            guard.beforeStart();
        } catch (CaptureGuard.SlotLostException e) {
            log.error("Change capture cannot start, and will not try again: {}", e.getMessage());
            health.failedForGood(e.getMessage());
            onFailedForGood.run();
            return;
        } catch (SQLException | RuntimeException e) {
            completed(false, "the checks before the capture starts failed", e);
            return;
        }
        engine = DebeziumEngine.create(Connect.class)
                // Settings first: notifying() reads them. A copy, because the builder writes into them.
                .using((Properties) settings.clone())
                .using(new DebeziumEngine.ConnectorCallback() {
                    @Override
                    public void pollingStarted() {
                        streamingSinceNanos = System.nanoTime();
                        health.pollingStarted();
                    }
                })
                .using(this::completed)
                .notifying((events, committer) -> {
                    publisher.handleBatch(events, committer);
                    metrics.captured();
                })
                .build();
        executor = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("debezium-engine").factory());
        executor.execute(engine);
        log.info("Change capture of {} starting (slot {}, offsets in {})", settings.getProperty("table.include.list"),
                settings.getProperty("slot.name"), settings.getProperty("offset.storage.topic"));
    }

    /** Called on the engine's thread when it has stopped, on its own or because we closed it. */
    private void completed(boolean success, String message, Throwable error) {
        health.handle(success, message, error);
        if (!success && !stopping) {
            // Not on the engine's thread: stop() may hold the lock while it waits for that thread to end.
            restarts.execute(this::scheduleRestart);
        }
    }

    private synchronized void scheduleRestart() {
        if (stopping) {
            return;
        }
        long streamedNanos = streamingSinceNanos == 0 ? 0 : System.nanoTime() - streamingSinceNanos;
        failuresInARow = streamedNanos >= backoff.max().toNanos() ? 1 : failuresInARow + 1;
        streamingSinceNanos = 0;
        Duration pause = backoff.pauseAfter(failuresInARow);
        log.warn("Change capture failed ({} in a row); starting it again in {}", failuresInARow, pause);
        metrics.restarting();
        health.restartingIn(pause, failuresInARow);
        restarts.schedule(this::restart, pause.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void restart() {
        if (stopping) {
            return;
        }
        if (executor != null) {
            executor.shutdown();
        }
        launch();
    }

    @Override
    public synchronized void stop() {
        if (stopping) {
            return;
        }
        stopping = true;
        if (engine == null) {
            return;
        }
        try {
            closeEngine();
            executor.shutdown();
            if (!executor.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("Debezium engine did not stop within {}", STOP_TIMEOUT);
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        } finally {
            engine = null;
            executor = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return !stopping;
    }

    /**
     * The engine refuses to close while its tasks are starting (that would leak their connections) and once it has
     * stopped on its own: wait out the first, accept the second.
     */
    private void closeEngine() {
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        while (true) {
            try {
                engine.close();
                return;
            } catch (IllegalStateException e) {
                if (health.hasFinished() || System.nanoTime() > deadline) {
                    log.debug("Not closing the Debezium engine: {}", e.getMessage());
                    return;
                }
                LockSupport.parkNanos(CLOSE_RETRY_PAUSE.toNanos());
            } catch (IOException e) {
                log.warn("Closing the Debezium engine failed", e);
                return;
            }
        }
    }
}
