package dev.streamfold.aggregation.category;

import java.time.Duration;
import java.util.Objects;

/**
 * Tumbling event-time windows: an order counts in the window its event time falls into, and is still accepted
 * until {@code grace} after that window has ended (measured in stream time, i.e. the latest event time seen).
 */
public record WindowSettings(Duration size, Duration grace) {

    public WindowSettings {
        Objects.requireNonNull(size, "size");
        Objects.requireNonNull(grace, "grace");
        if (size.isZero() || size.isNegative()) {
            throw new IllegalArgumentException("window size must be positive: " + size);
        }
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative: " + grace);
        }
    }

    /**
     * How long an event id must be remembered: an order older than this (in stream time) can no longer land in
     * an open window, so a re-delivery of it could not be counted twice anyway.
     */
    Duration deduplicationRetention() {
        return size.plus(grace);
    }
}
