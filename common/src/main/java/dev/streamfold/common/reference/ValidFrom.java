package dev.streamfold.common.reference;

import dev.streamfold.common.header.NumberHeaders;
import java.util.OptionalLong;
import org.apache.kafka.common.header.Headers;

/**
 * When a version of reference data (a customer, a product) starts to be valid, in event time. A version's value
 * carries it ({@code valid_from}); a tombstone has no value, so ingest puts the time of the delete in a header.
 */
public final class ValidFrom {

    /** Epoch milliseconds as decimal text, on tombstones of {@code customers} and {@code products}. */
    public static final String HEADER = "streamfold.valid-from";

    /** The start of time: a snapshot row, or a row inserted (no order can predate it), is valid from here. */
    public static final long START_OF_TIME = 0L;

    private ValidFrom() {
    }

    public static void stamp(Headers headers, long validFromMs) {
        NumberHeaders.put(headers, HEADER, validFromMs);
    }

    /** The stamped time, or empty if absent or not a number. */
    public static OptionalLong of(Headers headers) {
        return NumberHeaders.get(headers, HEADER);
    }
}
