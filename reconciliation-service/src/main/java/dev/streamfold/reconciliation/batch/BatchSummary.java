package dev.streamfold.reconciliation.batch;

import java.time.Instant;

/**
 * What one micro-batch did.
 *
 * @param from              start of the earliest window considered
 * @param to                end of the latest settled window considered
 * @param reportsPublished  verdicts that were new or changed, hence published
 */
public record BatchSummary(Instant checkedAt, Instant from, Instant to, int windowsChecked, int matches, int mismatches,
        int reportsPublished) {
}
