package dev.streamfold.ingest.capture;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What an operator watches of the capture: restarts after failures, how long ago the last change (or heartbeat)
 * arrived, and how much WAL the replication slot keeps on the database's disk. Registered once; updated per batch or
 * per slot check, never per record.
 */
final class CaptureMetrics {

    /** Counts into a registry nobody reads: for captures outside the service (tests). */
    static final CaptureMetrics NONE = new CaptureMetrics(new SimpleMeterRegistry(), "none");

    private static final long NOT_MEASURED = Long.MIN_VALUE;

    private final Counter restarts;
    private final AtomicLong lastChangeNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong slotRetainedBytes = new AtomicLong(NOT_MEASURED);

    CaptureMetrics(MeterRegistry registry, String slotName) {
        restarts = Counter.builder("streamfold.capture.restarts")
                .description("Times the capture engine was started again after a failure")
                .register(registry);
        Gauge.builder("streamfold.capture.last.change.age", lastChangeNanos, last -> (System.nanoTime() - last.get()) / 1e9)
                .description("Seconds since the capture last received a change or a heartbeat (or started)")
                .baseUnit("seconds")
                .register(registry);
        Gauge.builder("streamfold.capture.slot.lag", slotRetainedBytes,
                        bytes -> bytes.get() == NOT_MEASURED ? Double.NaN : bytes.get())
                .description("WAL bytes the replication slot retains: the server's position minus the capture's confirmed one")
                .baseUnit("bytes")
                .tag("slot", slotName)
                .register(registry);
    }

    void restarting() {
        restarts.increment();
    }

    /** A batch arrived: changes, or only heartbeats. */
    void captured() {
        lastChangeNanos.set(System.nanoTime());
    }

    void slotMeasured(long retainedBytes) {
        slotRetainedBytes.set(retainedBytes);
    }

    void slotUnknown() {
        slotRetainedBytes.set(NOT_MEASURED);
    }
}
