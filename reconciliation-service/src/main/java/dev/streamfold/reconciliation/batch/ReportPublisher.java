package dev.streamfold.reconciliation.batch;

import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.reconciliation.window.WindowVerdict;
import dev.streamfold.schemas.ReconciliationReport;
import dev.streamfold.schemas.WindowKey;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.stereotype.Component;

/**
 * Sends verdicts to the compacted report topic, keyed by window ({@code WindowKey(Dimension.TOTAL_VALUE, start)}), so
 * that the topic keeps the latest per window. {@code ReconciliationReport} has no quantity fields: a window whose
 * quantity alone differs is reported as {@code MISMATCH} with equal counts and revenue on both sides.
 */
@Component
class ReportPublisher {

    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaTemplate<WindowKey, ReconciliationReport> template;
    private final String topic;
    private final MeterRegistry meters;

    ReportPublisher(KafkaTemplate<WindowKey, ReconciliationReport> reportTemplate, Topics topics, MeterRegistry meters) {
        this.template = reportTemplate;
        this.topic = topics.reconciliationReports().name();
        this.meters = meters;
    }

    /** Returns once the broker has acknowledged every report, or throws {@link KafkaException}. */
    void publish(List<WindowVerdict> verdicts) {
        List<CompletableFuture<SendResult<WindowKey, ReconciliationReport>>> sends = verdicts.stream()
                .map(verdict -> template.send(topic, keyOf(verdict), reportOf(verdict)))
                .toList();
        try {
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("Interrupted while publishing reports", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaException("Reports not acknowledged by the broker", e);
        }
        verdicts.forEach(verdict -> meters.counter("streamfold.reconciliation.reports.published",
                "status", verdict.status().name()).increment());
    }

    private static WindowKey keyOf(WindowVerdict verdict) {
        return new WindowKey(Dimension.TOTAL_VALUE, verdict.window().start());
    }

    private static ReconciliationReport reportOf(WindowVerdict verdict) {
        return ReconciliationReport.newBuilder()
                .setDimension(Dimension.TOTAL.id())
                .setDimensionValue(Dimension.TOTAL_VALUE)
                .setWindowStart(verdict.window().start())
                .setWindowEnd(verdict.window().end())
                .setStatus(verdict.status())
                .setExpectedOrderCount(verdict.expected().orderCount())
                .setActualOrderCount(verdict.actual().orderCount())
                .setExpectedRevenueMinor(verdict.expected().revenueMinor())
                .setActualRevenueMinor(verdict.actual().revenueMinor())
                .setCheckedAt(verdict.checkedAt())
                .build();
    }
}
