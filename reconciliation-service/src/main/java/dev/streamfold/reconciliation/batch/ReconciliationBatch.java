package dev.streamfold.reconciliation.batch;

import dev.streamfold.common.config.StreamfoldProperties;
import dev.streamfold.reconciliation.ReconciliationProperties;
import dev.streamfold.reconciliation.truth.OrderTotalsRepository;
import dev.streamfold.reconciliation.view.AggregateView;
import dev.streamfold.reconciliation.window.SettledRange;
import dev.streamfold.reconciliation.window.TotalWindow;
import dev.streamfold.reconciliation.window.Totals;
import dev.streamfold.reconciliation.window.TumblingWindows;
import dev.streamfold.reconciliation.window.WindowComparison;
import dev.streamfold.reconciliation.window.WindowVerdict;
import dev.streamfold.schemas.ReconciliationStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * One micro-batch: every settled window of the dimension {@code total} in the lookback, SQL's totals (order count,
 * quantity, revenue per currency) against the aggregate view's, and a report
 * for each window whose verdict is new or changed since this instance last published it (so a window that looked
 * wrong while the pipeline lagged is reported again once it matches).
 */
@Service
public class ReconciliationBatch {

    private static final Logger log = LoggerFactory.getLogger(ReconciliationBatch.class);

    private final OrderTotalsRepository truth;
    private final AggregateView view;
    private final ReportPublisher publisher;
    private final PublishedVerdicts published;
    private final TumblingWindows windows;
    private final ReconciliationProperties properties;
    private final Clock clock;

    ReconciliationBatch(OrderTotalsRepository truth, AggregateView view, ReportPublisher publisher,
            PublishedVerdicts published, ReconciliationProperties properties, StreamfoldProperties streamfold, Clock clock) {
        properties.requireConsistentWith(streamfold.windows());
        this.truth = truth;
        this.view = view;
        this.publisher = publisher;
        this.published = published;
        this.windows = new TumblingWindows(streamfold.windows().size());
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * Serialised: the schedule and the REST trigger must not interleave their publishing.
     *
     * @throws org.springframework.dao.DataAccessException if the database cannot answer
     * @throws org.springframework.kafka.KafkaException if the reports are not acknowledged; none is remembered
     *         then, so the next batch publishes them again
     */
    public synchronized BatchSummary run() {
        Instant now = clock.instant();
        SettledRange range = windows.settled(now, properties.settleDelay(), properties.lookback());
        published.forgetBefore(range.from());
        view.forgetBefore(range.from());
        if (range.isEmpty()) {
            return new BatchSummary(now, range.from(), range.to(), 0, 0, 0, 0);
        }
        Map<TotalWindow, Totals> expected = truth.totals(range, windows);
        Map<TotalWindow, Totals> actual = view.settledIn(range);
        List<WindowVerdict> verdicts = WindowComparison.compare(expected, actual, now);
        List<WindowVerdict> news = verdicts.stream().filter(published::isNews).toList();
        publisher.publish(news);
        news.forEach(published::remember);
        news.stream().filter(verdict -> verdict.status() == ReconciliationStatus.MISMATCH).forEach(ReconciliationBatch::logMismatch);
        BatchSummary summary = summarise(now, range, verdicts, news.size());
        if (summary.reportsPublished() > 0) {
            log.info("Reconciled {} settled windows in [{}, {}): {} match, {} mismatch, {} new or changed reports published",
                    summary.windowsChecked(), range.from(), range.to(), summary.matches(), summary.mismatches(),
                    summary.reportsPublished());
        }
        return summary;
    }

    /** The report has no quantity fields: the log (and the REST API) say which figure differs. */
    private static void logMismatch(WindowVerdict verdict) {
        log.warn("Window [{}, {}) mismatches: SQL {} orders, quantity {}, revenue {}; aggregate {} orders, quantity {}, revenue {}",
                verdict.window().start(), verdict.window().end(),
                verdict.expected().orderCount(), verdict.expected().quantity(), verdict.expected().revenueMinor(),
                verdict.actual().orderCount(), verdict.actual().quantity(), verdict.actual().revenueMinor());
    }

    private static BatchSummary summarise(Instant now, SettledRange range, List<WindowVerdict> verdicts, int publishedCount) {
        int matches = (int) verdicts.stream().filter(verdict -> verdict.status() == ReconciliationStatus.MATCH).count();
        return new BatchSummary(now, range.from(), range.to(), verdicts.size(), matches, verdicts.size() - matches,
                publishedCount);
    }
}
