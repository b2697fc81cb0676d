package dev.streamfold.common.accounting;

import dev.streamfold.common.header.NumberHeaders;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.Headers;

/**
 * End-to-end latency where a stage has done its work with an order, as the histogram {@value #METER}{@code {service,
 * stage, clock}}: {@code clock=event} is now − the order's event time (how far behind the business the figures are),
 * {@code clock=ingest} now − when the order entered the pipeline (the write time of its {@code orders} record, carried
 * along in the header {@value #INGESTED_AT}: how long the pipeline itself took). Fixed buckets from 100 ms to an hour,
 * so that the histograms of all instances add up in Prometheus; timers are registered once per stage and clock.
 */
public final class StageLatency {

    public static final String METER = "streamfold.stage.latency";
    /** Epoch ms at which the order's record was appended to {@code orders}: stamped by enrichment, passed on after it. */
    public static final String INGESTED_AT = "streamfold.ingested-at";
    /** Epoch ms of the event time of the latest order behind a record (aggregates carry it on to the query service). */
    public static final String EVENT_TIME = "streamfold.event-time";

    private static final Duration[] BUCKETS = {Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2_500), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1)};

    private final MeterRegistry registry;
    private final String service;
    private final Map<String, Timer[]> timersByStage = new ConcurrentHashMap<>();

    StageLatency(MeterRegistry registry, String service) {
        this.registry = registry;
        this.service = service;
    }

    /** Records both clocks for an order a stage finished with at {@code nowMs}; a clock without its time is left out. */
    public void record(String stage, long nowMs, long eventTimeMs, OptionalLong ingestedAtMs) {
        Timer[] timers = timersOf(stage);
        timers[0].record(Math.max(0, nowMs - eventTimeMs), TimeUnit.MILLISECONDS);
        if (ingestedAtMs.isPresent()) {
            timers[1].record(Math.max(0, nowMs - ingestedAtMs.getAsLong()), TimeUnit.MILLISECONDS);
        }
    }

    /** The same, with the times read from the record's {@value #EVENT_TIME} and {@value #INGESTED_AT} headers. */
    public void record(String stage, long nowMs, Headers headers) {
        OptionalLong eventTime = NumberHeaders.get(headers, EVENT_TIME);
        if (eventTime.isPresent()) {
            record(stage, nowMs, eventTime.getAsLong(), NumberHeaders.get(headers, INGESTED_AT));
        }
    }

    /** Stamps the times a later stage measures from. */
    public static void stamp(Headers headers, long eventTimeMs, long ingestedAtMs) {
        NumberHeaders.put(headers, EVENT_TIME, eventTimeMs);
        NumberHeaders.put(headers, INGESTED_AT, ingestedAtMs);
    }

    private Timer[] timersOf(String stage) {
        Timer[] timers = timersByStage.get(stage);
        return timers != null ? timers : timersByStage.computeIfAbsent(stage, s -> new Timer[] {register(s, "event"),
                register(s, "ingest")});
    }

    private Timer register(String stage, String clock) {
        return Timer.builder(METER)
                .description("End-to-end latency of orders when a stage has done its work with them")
                .tag("service", service).tag("stage", stage).tag("clock", clock)
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
    }
}
