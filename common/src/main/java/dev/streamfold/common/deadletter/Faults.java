package dev.streamfold.common.deadletter;

import java.util.Locale;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Tells a fault of the record (dead-letter it, move on) from a fault of the moment (a registry or broker that does
 * not answer, a timeout: retry, never dead-letter) and names the fault in a few words for metrics.
 */
public final class Faults {

    private static final int MAX_DEPTH = 20;

    private Faults() {
    }

    /** True if anything in the cause chain says "try again": Kafka's retriable errors, an unreachable registry. */
    public static boolean isTransient(Throwable error) {
        Throwable current = error;
        for (int depth = 0; current != null && depth < MAX_DEPTH; depth++) {
            if (current instanceof RetriableException) {
                return true;
            }
            current = current.getCause() == current ? null : current.getCause();
        }
        return false;
    }

    /**
     * A short, bounded tag for a dead letter's cause: the kebab-cased class of the outermost exception that is not a
     * Kafka Streams wrapper, e.g. {@code invalid-order}, {@code poison-record}, {@code arithmetic}.
     */
    public static String reason(Throwable error) {
        Throwable current = error;
        while (current.getCause() != null && current.getCause() != current
                && current.getClass().getName().startsWith("org.apache.kafka.streams.errors")) {
            current = current.getCause();
        }
        String name = current.getClass().getSimpleName().replaceFirst("Exception$", "");
        return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
