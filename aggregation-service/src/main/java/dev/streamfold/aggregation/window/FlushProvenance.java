package dev.streamfold.aggregation.window;

import dev.streamfold.common.accounting.StageLatency;
import dev.streamfold.common.header.NumberHeaders;
import dev.streamfold.common.tracing.RecordTracing;
import java.util.OptionalLong;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * What the deltas of one flush say about the orders in them, for the query service when it materialises the totals:
 * for its latency, the newest event time (how far behind the business the figures are) and the earliest entry into
 * the pipeline (the slowest order's path); for tracing, the trace context of the last order, so that a window's total
 * continues the trace of the order that last changed it. Kept in memory only: after a restart the first flush carries
 * none.
 */
final class FlushProvenance {

    private long newestEventTime = Long.MIN_VALUE;
    private long earliestIngestedAt = Long.MAX_VALUE;
    private Header lastTrace;

    void add(long eventTime, Headers headers) {
        Header trace = headers.lastHeader(RecordTracing.TRACEPARENT);
        if (trace != null) {
            lastTrace = trace;
        }
        newestEventTime = Math.max(newestEventTime, eventTime);
        OptionalLong ingestedAt = NumberHeaders.get(headers, StageLatency.INGESTED_AT);
        if (ingestedAt.isPresent()) {
            earliestIngestedAt = Math.min(earliestIngestedAt, ingestedAt.getAsLong());
        }
    }

    void stampAndReset(Headers headers) {
        if (lastTrace != null) {
            headers.add(lastTrace);
        }
        if (newestEventTime != Long.MIN_VALUE) {
            NumberHeaders.put(headers, StageLatency.EVENT_TIME, newestEventTime);
            if (earliestIngestedAt != Long.MAX_VALUE) {
                NumberHeaders.put(headers, StageLatency.INGESTED_AT, earliestIngestedAt);
            }
        }
        newestEventTime = Long.MIN_VALUE;
        earliestIngestedAt = Long.MAX_VALUE;
        lastTrace = null;
    }
}
