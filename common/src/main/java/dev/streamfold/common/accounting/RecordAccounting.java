package dev.streamfold.common.accounting;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where every record a stage reads ends up, as the counter {@value #METER}{@code {service, stage, outcome}} (plus
 * {@code reason} for dead letters). A stage is one input topic of one service, named by the topic, so that dead
 * letters counted by the Kafka Streams handlers (which know only the topic) add up with the processors' own counts.
 * At rest, for every stage:
 * {@code received = forwarded + dead-lettered + late + duplicate} (+ records still waiting inside the stage).
 *
 * <p>Counters live in memory: under exactly-once a transaction that aborts and is retried counts its records again,
 * so after a crash the figures may run ahead of the topics. The topics are the exact ledger; these are for watching.
 * Counters are registered once per (stage, outcome, reason) and cached, never per record.
 */
public final class RecordAccounting {

    public static final String METER = "streamfold.records";
    /** Key under which Kafka Streams handlers find this object in their {@code configure} map. */
    public static final String CONFIG_KEY = "streamfold.record.accounting";

    private final MeterRegistry registry;
    private final String service;
    /** Per stage, one counter per outcome without a reason: the per-record path is one map lookup, no allocation. */
    private final Map<String, Counter[]> countersByStage = new ConcurrentHashMap<>();
    private final Map<String, Counter> deadLetterCounters = new ConcurrentHashMap<>();
    private final StageLatency latency;

    public RecordAccounting(MeterRegistry registry, String service) {
        this.registry = registry;
        this.service = service;
        this.latency = new StageLatency(registry, service);
    }

    /** The end-to-end latency of orders at the stages of this service. */
    public StageLatency latency() {
        return latency;
    }

    /** For unit tests and tools: counts in a registry of its own. */
    public static RecordAccounting inMemory(String service) {
        return new RecordAccounting(new SimpleMeterRegistry(), service);
    }

    public void received(String stage) {
        countersOf(stage)[Outcome.RECEIVED.ordinal()].increment();
    }

    public void forwarded(String stage) {
        countersOf(stage)[Outcome.FORWARDED.ordinal()].increment();
    }

    public void deadLettered(String stage, String reason) {
        deadLetterCounters.computeIfAbsent(stage + '\0' + reason, ignored -> register(stage, Outcome.DEAD_LETTERED, reason))
                .increment();
    }

    public void late(String stage) {
        countersOf(stage)[Outcome.LATE.ordinal()].increment();
    }

    public void duplicate(String stage) {
        countersOf(stage)[Outcome.DUPLICATE.ordinal()].increment();
    }

    /** The current count of one outcome of one stage, all reasons together. */
    public double count(String stage, Outcome outcome) {
        return registry.find(METER).tag("service", service).tag("stage", stage).tag("outcome", outcome.tag())
                .counters().stream().mapToDouble(Counter::count).sum();
    }

    public String service() {
        return service;
    }

    private Counter[] countersOf(String stage) {
        Counter[] counters = countersByStage.get(stage);
        if (counters != null) {
            return counters;
        }
        return countersByStage.computeIfAbsent(stage, ignored -> {
            Counter[] byOutcome = new Counter[Outcome.values().length];
            for (Outcome outcome : Outcome.values()) {
                if (outcome != Outcome.DEAD_LETTERED) {
                    byOutcome[outcome.ordinal()] = register(stage, outcome, null);
                }
            }
            return byOutcome;
        });
    }

    private Counter register(String stage, Outcome outcome, String reason) {
        Counter.Builder builder = Counter.builder(METER)
                .description("Records read by a stage, by what became of them")
                .tag("service", service).tag("stage", stage).tag("outcome", outcome.tag());
        if (reason != null) {
            builder.tag("reason", reason);
        }
        return builder.register(registry);
    }

    /** What became of a record a stage read. */
    public enum Outcome {
        RECEIVED("received"),
        FORWARDED("forwarded"),
        DEAD_LETTERED("dead-lettered"),
        LATE("late"),
        DUPLICATE("duplicate");

        private final String tag;

        Outcome(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }
}
