package dev.streamfold.common.tracing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RecordTracingTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String UPSTREAM_SPAN = "00f067aa0ba902b7";

    private final SdkTracerProvider tracerProvider = SdkTracerProvider.builder().build();
    private final RecordTracing tracing = new RecordTracing(new OtelPropagator(
            ContextPropagators.create(W3CTraceContextPropagator.getInstance()), tracerProvider.get("streamfold-test")));

    @AfterEach
    void close() {
        tracerProvider.close();
    }

    @Test
    void shouldContinueTheTraceTheRecordCarriesWithASpanOfItsOwn() {
        // Given a record whose producer started a trace
        RecordHeaders headers = new RecordHeaders();
        headers.add(RecordTracing.TRACEPARENT, ("00-" + TRACE + "-" + UPSTREAM_SPAN + "-01").getBytes(UTF_8));

        // When a stage continues it
        tracing.continueTrace("enrich order", headers, "pg:orders:7:1");

        // Then the record carries the same trace, now with the stage's span as parent of what comes next, once
        assertThat(RecordTracing.traceId(headers)).contains(TRACE);
        String traceparent = new String(headers.lastHeader(RecordTracing.TRACEPARENT).value(), UTF_8);
        assertThat(traceparent).matches("00-" + TRACE + "-[0-9a-f]{16}-01").doesNotContain(UPSTREAM_SPAN);
        assertThat(headers.headers(RecordTracing.TRACEPARENT)).hasSize(1);
    }

    @Test
    void shouldStartATraceForARecordThatCarriesNone() {
        // Given a record from a publisher that does not trace
        RecordHeaders headers = new RecordHeaders();

        // When the stage where orders enter the pipeline handles it
        tracing.startOrContinueTrace("enrich order", headers, "shop-app-1");

        // Then the record now carries a new trace for the stages after it
        assertThat(RecordTracing.traceId(headers)).hasValueSatisfying(trace -> assertThat(trace).matches("[0-9a-f]{32}"));
    }

    @Test
    void shouldPassAnUnsampledTraceOnAsItIsAndStartNoneInLaterStages() {
        // Given a record whose trace was not sampled, and one without a trace
        String unsampled = "00-" + TRACE + "-" + UPSTREAM_SPAN + "-00";
        RecordHeaders notSampled = new RecordHeaders();
        notSampled.add(RecordTracing.TRACEPARENT, unsampled.getBytes(UTF_8));
        RecordHeaders none = new RecordHeaders();

        // When a later stage continues their traces
        tracing.continueTrace("aggregate order", notSampled, "pg:orders:7:1");
        tracing.continueTrace("aggregate order", none, "shop-app-2");

        // Then the unsampled context travels unchanged (same trace id), and no trace is started
        assertThat(new String(notSampled.lastHeader(RecordTracing.TRACEPARENT).value(), UTF_8)).isEqualTo(unsampled);
        assertThat(none.toArray()).isEmpty();
    }

    @Test
    void shouldLeaveTheHeadersAloneWhenTracingIsOff() {
        RecordHeaders headers = new RecordHeaders();
        RecordTracing.off().startOrContinueTrace("enrich order", headers, "shop-app-1");
        assertThat(headers.toArray()).isEmpty();
    }
}
