package dev.streamfold.reconciliation.window;

import java.time.Duration;
import java.time.Instant;

/**
 * Tumbling windows aligned to the epoch exactly like Kafka Streams' {@code TimeWindows}: the window of a
 * timestamp starts at {@code floor(millis / size) * size}.
 */
public final class TumblingWindows {

    private final long sizeMillis;

    public TumblingWindows(Duration size) {
        if (size.toMillis() <= 0 || size.toNanos() % 1_000_000 != 0) {
            throw new IllegalArgumentException("window size must be a positive whole number of milliseconds: " + size);
        }
        this.sizeMillis = size.toMillis();
    }

    public long sizeMillis() {
        return sizeMillis;
    }

    public Instant startOf(Instant timestamp) {
        return Instant.ofEpochMilli(Math.floorDiv(timestamp.toEpochMilli(), sizeMillis) * sizeMillis);
    }

    public Instant endOf(Instant windowStart) {
        return windowStart.plusMillis(sizeMillis);
    }

    /**
     * The windows final at {@code now}: ended at least {@code settleDelay} ago ({@code end + settleDelay <= now})
     * and starting no earlier than {@code now - lookback}.
     */
    public SettledRange settled(Instant now, Duration settleDelay, Duration lookback) {
        Instant earliestStart = now.minus(lookback);
        Instant from = startOf(earliestStart);
        if (from.isBefore(earliestStart)) {
            from = endOf(from);
        }
        // Window ends are aligned too, so the last settled end is the aligned instant at or before now - settleDelay.
        Instant to = startOf(now.minus(settleDelay));
        return new SettledRange(from, to.isBefore(from) ? from : to);
    }
}
