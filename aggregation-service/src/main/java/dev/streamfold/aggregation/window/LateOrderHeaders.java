package dev.streamfold.aggregation.window;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The headers of a record in {@code orders.late}, added after the headers the order arrived with. Values are UTF-8
 * text; instants are ISO-8601 ({@link Instant#toString()}).
 */
public final class LateOrderHeaders {

    /** Plain words: which window, when it closed, the partition's stream time, the grace. */
    public static final String REASON = "streamfold.late.reason";
    /** Start (inclusive) of the order's window. */
    public static final String WINDOW_START = "streamfold.late.window.start";
    /** End (exclusive) of the order's window. */
    public static final String WINDOW_END = "streamfold.late.window.end";
    /**
     * The event-time stream time the order was judged by: its source partition's when it was read there (stamped by
     * enrichment), else the input partition's when the order arrived.
     */
    public static final String STREAM_TIME = "streamfold.late.stream.time";
    /** The service (Kafka Streams application id) that found the order late. */
    public static final String SERVICE = "streamfold.late.service";

    private LateOrderHeaders() {
    }

    /**
     * @param progressOf whose stream time {@code streamTime} is, in words (e.g. "orders.enriched-2")
     */
    static Headers describe(Headers original, String service, String progressOf,
            Instant windowStart, Instant windowEnd, Duration grace, Instant streamTime) {
        RecordHeaders headers = original == null ? new RecordHeaders() : new RecordHeaders(original.toArray());
        String reason = "window " + windowStart + "–" + windowEnd + " closed at " + windowEnd.plus(grace) + " (end + grace "
                + grace + "); stream time of " + progressOf + " was already " + streamTime;
        headers.add(REASON, bytes(reason));
        headers.add(WINDOW_START, bytes(windowStart.toString()));
        headers.add(WINDOW_END, bytes(windowEnd.toString()));
        headers.add(STREAM_TIME, bytes(streamTime.toString()));
        headers.add(SERVICE, bytes(service));
        return headers;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }
}
