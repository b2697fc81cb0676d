package dev.streamfold.query.aggregates;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/** The half-open range [from, to) of window starts a request asks for. */
record TimeRange(Instant from, Instant to) {

    static final Duration DEFAULT_LENGTH = Duration.ofHours(1);

    TimeRange {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
    }

    /**
     * Without {@code to} the range ends now; without {@code from} it starts {@link #DEFAULT_LENGTH} before its end
     * (or {@code maxLength} before it, if that is shorter).
     */
    static TimeRange parse(String from, String to, Instant now, Duration maxLength) {
        Instant end = to == null ? now : instant("to", to);
        Instant start = from == null ? end.minus(min(DEFAULT_LENGTH, maxLength)) : instant("from", from);
        if (!start.isBefore(end)) {
            throw new InvalidQueryException("'from' (" + start + ") must be before 'to' (" + end + ")");
        }
        if (Duration.between(start, end).compareTo(maxLength) > 0) {
            throw new InvalidQueryException("the range from " + start + " to " + end + " is longer than the maximum of "
                    + maxLength);
        }
        return new TimeRange(start, end);
    }

    /** Window store ranges are inclusive at both ends; ours excludes {@code to}. */
    Instant lastIncludedStart() {
        return to.minusMillis(1);
    }

    private static Instant instant(String name, String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new InvalidQueryException("'" + name + "' must be an ISO-8601 instant such as 2026-11-21T10:00:00Z, not '"
                    + text + "'");
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
