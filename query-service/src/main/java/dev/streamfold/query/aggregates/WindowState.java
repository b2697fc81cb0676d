package dev.streamfold.query.aggregates;

import java.time.Duration;
import java.time.Instant;

/**
 * Where a window is in its life, judged by the query instance's wall clock (not by the aggregation's stream time,
 * which this service does not see): a window whose state is {@link #CLOSED} here may still wait for its final result
 * upstream while event time lags behind the clock, and clocks of different instances may differ a little.
 */
enum WindowState {

    /** {@code now < end}: orders are still being placed in it. */
    OPEN,
    /** {@code end <= now < end + grace}: no new orders, but late changes of its orders may still arrive. */
    IN_GRACE,
    /** {@code end + grace <= now}: its figures no longer change (except by reconciliation's corrections). */
    CLOSED;

    static WindowState of(Instant windowEnd, Duration grace, Instant now) {
        if (now.isBefore(windowEnd)) {
            return OPEN;
        }
        return now.isBefore(windowEnd.plus(grace)) ? IN_GRACE : CLOSED;
    }
}
