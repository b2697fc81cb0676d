package dev.streamfold.common.tracing;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.propagation.Propagator;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * One order's journey as one trace, through Kafka Streams too: each stage continues the trace whose W3C context
 * ({@value #TRACEPARENT}) the record carries, with a short span of its own, and writes that span's context back into the
 * record's headers, which Kafka Streams passes on to what the stage writes. Ingest starts the trace (spring-kafka's
 * observed {@code KafkaTemplate}); a record without a context starts one here. Spans are exported only when an OTLP
 * endpoint is configured ({@code management.opentelemetry.tracing.export.otlp.endpoint}); the context travels either way.
 */
public final class RecordTracing {

    public static final String TRACEPARENT = "traceparent";

    private static final Propagator.Getter<Headers> FROM_HEADERS = (headers, key) -> {
        Header header = headers.lastHeader(key);
        return header == null || header.value() == null ? null : new String(header.value(), UTF_8);
    };
    private static final Propagator.Setter<Headers> INTO_HEADERS = (headers, key, value) -> {
        if (headers != null) {
            headers.remove(key);
            headers.add(key, value.getBytes(UTF_8));
        }
    };

    private final Propagator propagator;

    public RecordTracing(Propagator propagator) {
        this.propagator = propagator;
    }

    /** No spans and no headers: for unit tests and services without tracing on the classpath. */
    public static RecordTracing off() {
        return new RecordTracing(Propagator.NOOP);
    }

    /** A span named {@code stage} in the record's trace (tagged with the order's event id), handed on in its headers. */
    public void continueTrace(String stage, Headers headers, String eventId) {
        Span span = propagator.extract(headers, FROM_HEADERS).name(stage).kind(Span.Kind.CONSUMER).start();
        try {
            span.tag("streamfold.event.id", eventId);
            propagator.inject(span.context(), headers, INTO_HEADERS);
        } finally {
            span.end();
        }
    }

    /** The trace id a record's headers carry, if any: {@code 00-<trace id>-<span id>-<flags>}. */
    public static Optional<String> traceId(Headers headers) {
        return Optional.ofNullable(FROM_HEADERS.get(headers, TRACEPARENT))
                .map(value -> value.split("-"))
                .filter(parts -> parts.length == 4)
                .map(parts -> parts[1]);
    }
}
