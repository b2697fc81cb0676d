package dev.streamfold.ingest.capture;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Measures, every {@code ingest.slot-check-interval}, how much WAL the replication slot retains, for the metric
 * {@code streamfold_capture_slot_lag_bytes} (and its alert): a slot that stops moving fills the database's disk.
 */
final class SlotMonitor implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SlotMonitor.class);

    private final ReplicationSlot slot;
    private final CaptureMetrics metrics;
    private final Duration interval;
    private ScheduledExecutorService checker;
    private volatile String lastProblem;

    SlotMonitor(ReplicationSlot slot, CaptureMetrics metrics, Duration interval) {
        this.slot = slot;
        this.metrics = metrics;
        this.interval = interval;
    }

    @Override
    public synchronized void start() {
        checker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("slot-monitor").factory());
        checker.scheduleWithFixedDelay(this::check, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void check() {
        try {
            Optional<ReplicationSlot.Status> status = slot.status();
            status.ifPresentOrElse(found -> metrics.slotMeasured(found.retainedBytes()), metrics::slotUnknown);
            report(status.isEmpty() ? "replication slot " + slot.name() + " does not exist (yet)"
                    : status.get().lost() ? "replication slot " + slot.name() + " has lost WAL it needs" : null);
        } catch (Exception e) {
            metrics.slotUnknown();
            report("cannot measure replication slot " + slot.name() + ": " + e.getMessage());
        }
    }

    /** Once per change of problem, not at every check. */
    private void report(String problem) {
        if (problem != null && !problem.equals(lastProblem)) {
            log.warn("{}", problem);
        }
        lastProblem = problem;
    }

    @Override
    public synchronized void stop() {
        if (checker != null) {
            checker.shutdownNow();
            checker = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return checker != null;
    }
}
