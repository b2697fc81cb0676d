package dev.streamfold.common.order;

import dev.streamfold.common.header.NumberHeaders;
import java.util.OptionalLong;
import org.apache.kafka.common.header.Headers;

/**
 * The event-time progress of the {@code orders} partition an order was first read from, as it stood when the order was
 * read there: the latest event time of the valid orders that partition had delivered so far (this one included),
 * capped at the wall clock. Enrichment stamps it on every order in a header; aggregation judges lateness against it.
 *
 * <p>Why a header and not the stream time of wherever the order happens to be: between the source and the windows an
 * order can be overtaken (re-routed to the partition owning its customer, or kept waiting for a reference) while its
 * neighbours move on. Judged against the partition it lands on, such an order would be "late" because of a detour, and
 * whether it is would depend on how fast each service caught up after an outage. Judged against its source, an order
 * is late only if it was late when it arrived: the verdict is the same however often, and at whatever speed, the
 * records are replayed.
 */
public final class SourceStreamTime {

    /** Milliseconds since the epoch, as decimal text (like the other {@code streamfold.*} headers). */
    public static final String HEADER = "streamfold.source.stream-time";

    private SourceStreamTime() {
    }

    /** Replaces any value the record came with: only the service that reads the source may say how far it is. */
    public static void stamp(Headers headers, long streamTimeMs) {
        NumberHeaders.put(headers, HEADER, streamTimeMs);
    }

    /** The stamped progress; empty if there is none or it is not a number (a record that bypassed enrichment). */
    public static OptionalLong of(Headers headers) {
        return NumberHeaders.get(headers, HEADER);
    }
}
