package dev.streamfold.ingest.capture;

import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import java.io.IOException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the Debezium embedded engine on its own thread for the life of the Spring context. Each start builds a new
 * engine, which resumes from the positions committed in the offsets topic (a snapshot happens only the first time).
 */
final class ChangeCaptureEngine implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ChangeCaptureEngine.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLOSE_RETRY_PAUSE = Duration.ofMillis(100);

    private final Properties settings;
    private final ChangeBatchPublisher publisher;
    private final CaptureHealthIndicator health;
    private DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine;
    private ExecutorService executor;

    ChangeCaptureEngine(Properties settings, ChangeBatchPublisher publisher, CaptureHealthIndicator health) {
        this.settings = settings;
        this.publisher = publisher;
        this.health = health;
    }

    @Override
    public synchronized void start() {
        if (engine != null) {
            return;
        }
        health.starting();
        engine = DebeziumEngine.create(Connect.class)
                // Settings first: notifying() reads them. A copy, because the builder writes into them.
                .using((Properties) settings.clone())
                .using((DebeziumEngine.ConnectorCallback) health)
                .using((DebeziumEngine.CompletionCallback) health)
                .notifying(publisher)
                .build();
        executor = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("debezium-engine").factory());
        executor.execute(engine);
        log.info("Change capture of {} starting (slot {}, offsets in {})", settings.getProperty("table.include.list"),
                settings.getProperty("slot.name"), settings.getProperty("offset.storage.topic"));
    }

    @Override
    public synchronized void stop() {
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
        return engine != null;
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
