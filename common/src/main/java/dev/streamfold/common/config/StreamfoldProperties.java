package dev.streamfold.common.config;

import dev.streamfold.common.order.OrderRules;
import dev.streamfold.common.topic.TopicSettings;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.aggregate.WindowSpec;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.time.Instant;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/** Settings every service shares; Kafka's bootstrap servers come from {@code spring.kafka.bootstrap-servers}. */
@Validated
@ConfigurationProperties("streamfold")
public record StreamfoldProperties(@NotNull @Valid Registry registry, @NotNull @Valid Topics topics,
        @DefaultValue @NotNull @Valid Orders orders, @DefaultValue @NotNull @Valid Streams streams,
        @DefaultValue @NotNull @Valid Windows windows, @DefaultValue @NotNull @Valid Aggregates aggregates) {

    /**
     * The event-time windows, the same in every service: aggregation computes them, the query service stores and
     * serves them, reconciliation checks them against SQL. Set once ({@code streamfold.windows.*}), never per service.
     *
     * @param size  length of the tumbling windows, aligned to the epoch; whole milliseconds
     * @param grace how long after its end a window still accepts orders (in the event-time progress of the orders'
     *              source partitions); a window is final, and can be checked, only after it
     */
    public record Windows(@DefaultValue("PT1M") @NotNull Duration size, @DefaultValue("PT1M") @NotNull Duration grace,
            @DefaultValue @NotNull @Valid Hopping hopping) {

        /** The tumbling windows every dimension is aggregated in. */
        public WindowSpec tumbling() {
            return WindowSpec.tumbling(size);
        }

        /** The hopping windows of {@link Aggregates#hoppingDimensions()}. */
        public WindowSpec hoppingWindows() {
            return WindowSpec.hopping(hopping.size(), hopping.advance());
        }

        @AssertTrue(message = "streamfold.windows.hopping.advance must divide streamfold.windows.hopping.size")
        boolean isHoppingAdvanceADivisorOfItsSize() {
            return hopping == null || hopping.size() == null || hopping.advance() == null || hopping.advance().isZero()
                    || hopping.advance().isNegative() || hopping.size().toMillis() % hopping.advance().toMillis() == 0;
        }

        @AssertTrue(message = "streamfold.windows.size must be a positive whole number of milliseconds")
        boolean isSizePositiveWholeMilliseconds() {
            return size == null || (!size.isNegative() && !size.isZero() && size.toNanos() % 1_000_000 == 0);
        }

        @AssertTrue(message = "streamfold.windows.grace must not be negative")
        boolean isGraceNotNegative() {
            return grace == null || !grace.isNegative();
        }
    }

    /**
     * Hopping windows: {@code size} long, a new one every {@code advance}; an order falls into size / advance of them.
     *
     * @param size    e.g. five minutes; whole milliseconds
     * @param advance e.g. one minute; divides {@code size}
     */
    public record Hopping(@DefaultValue("PT5M") @NotNull Duration size, @DefaultValue("PT1M") @NotNull Duration advance) {

        /** Five minutes, advancing by one. */
        public static Hopping defaults() {
            return new Hopping(Duration.ofMinutes(5), Duration.ofMinutes(1));
        }

        @AssertTrue(message = "streamfold.windows.hopping.size and .advance must be positive whole numbers of milliseconds")
        boolean isPositiveWholeMilliseconds() {
            return positiveMillis(size) && positiveMillis(advance);
        }

        private static boolean positiveMillis(Duration duration) {
            return duration == null || (!duration.isNegative() && !duration.isZero() && duration.toNanos() % 1_000_000 == 0);
        }
    }

    /**
     * What aggregation computes, and the query service serves, the same in every service.
     *
     * @param dimensions        aggregated in the tumbling windows ({@code category, country, customer, total})
     * @param hoppingDimensions also aggregated in the hopping windows; each must be one of {@code dimensions}
     * @param customerLifetime  whether lifetime (non-windowed) totals per customer are kept and published
     */
    public record Aggregates(@DefaultValue("category,country,customer,total") @NotEmpty List<Dimension> dimensions,
            @DefaultValue("total,category") @NotNull List<Dimension> hoppingDimensions,
            @DefaultValue("true") boolean customerLifetime) {

        public Aggregates {
            dimensions = dimensions == null ? null : List.copyOf(new LinkedHashSet<>(dimensions));
            hoppingDimensions = hoppingDimensions == null ? null : List.copyOf(new LinkedHashSet<>(hoppingDimensions));
        }

        /** All four dimensions, hopping windows for {@code total} and {@code category}, lifetime totals per customer. */
        public static Aggregates defaults() {
            return new Aggregates(List.of(Dimension.values()), List.of(Dimension.TOTAL, Dimension.CATEGORY), true);
        }

        @AssertTrue(message = "streamfold.aggregates.hopping-dimensions must be among streamfold.aggregates.dimensions")
        boolean isHoppingAmongTheDimensions() {
            return dimensions == null || hoppingDimensions == null || dimensions.containsAll(hoppingDimensions);
        }
    }

    /**
     * The bounds of {@link OrderRules}, the same in every service.
     *
     * @param maxEventTimeAhead how far in the future (of the validating service's clock) an order's event time may be
     * @param earliestEventTime the earliest event time accepted
     */
    public record Orders(@DefaultValue("PT1H") @NotNull Duration maxEventTimeAhead,
            @DefaultValue("2000-01-01T00:00:00Z") @NotNull Instant earliestEventTime) {

        public OrderRules rules() {
            return new OrderRules(maxEventTimeAhead, earliestEventTime);
        }
    }

    /** @param url the registry's core API, e.g. {@code http://127.0.0.1:8081/apis/registry/v3} */
    public record Registry(@NotBlank String url) {
    }

    /**
     * @param prefix              put before every topic name (empty by default)
     * @param replicationFactor   of every topic a service creates, Kafka Streams' internal topics included
     * @param minInsyncReplicas   {@code min.insync.replicas} of those topics (at most the replication factor)
     * @param deadLetterRetention how long the {@code .dlq} topics keep dead letters
     */
    public record Topics(@NotNull String prefix, @Min(1) short replicationFactor,
            @DefaultValue("1") @Min(1) int minInsyncReplicas,
            @DefaultValue("P3650D") @NotNull Duration deadLetterRetention) {

        @AssertTrue(message = "streamfold.topics.min-insync-replicas must not exceed streamfold.topics.replication-factor")
        boolean isMinInsyncReplicasAtMostTheReplicationFactor() {
            return minInsyncReplicas <= replicationFactor;
        }

        @AssertTrue(message = "streamfold.topics.dead-letter-retention must be positive")
        boolean isDeadLetterRetentionPositive() {
            return deadLetterRetention == null || (!deadLetterRetention.isNegative() && !deadLetterRetention.isZero());
        }

        public TopicSettings settings() {
            return new TopicSettings(replicationFactor, minInsyncReplicas, deadLetterRetention);
        }
    }

    /**
     * Settings of the Kafka Streams services (enrichment, aggregation, query).
     *
     * @param numStandbyReplicas warm copies of each task's state on other instances, for fast fail-over
     * @param onThreadFailure    what to do when a stream thread dies on an exception: {@code replace-thread} (after a
     *                           pause; heals faults of the moment by itself) or {@code shutdown-client} (the client
     *                           goes to ERROR and liveness DOWN, so that the orchestrator restarts the whole service)
     * @param processingGuarantee exactly-once (default); at-least-once only to measure what exactly-once costs
     */
    public record Streams(@DefaultValue("0") @Min(0) int numStandbyReplicas,
            @DefaultValue("replace-thread") @NotNull ThreadFailure onThreadFailure,
            @DefaultValue("exactly-once-v2") @NotNull ProcessingGuarantee processingGuarantee,
            @DefaultValue("64MB") @NotNull DataSize rocksdbMemory) {
    }

    public enum ThreadFailure { REPLACE_THREAD, SHUTDOWN_CLIENT }

    /**
     * Kafka Streams' {@code processing.guarantee}. Exactly-once is what the figures' exactness rests on;
     * {@code at-least-once} exists to measure what exactly-once costs (the benchmark), and loses exactness after any
     * crash: never for production.
     */
    public enum ProcessingGuarantee {
        EXACTLY_ONCE_V2("exactly_once_v2"), AT_LEAST_ONCE("at_least_once");

        private final String config;

        ProcessingGuarantee(String config) {
            this.config = config;
        }

        public String config() {
            return config;
        }
    }
}
