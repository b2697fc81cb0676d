package dev.streamfold.common.accounting;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class StageLatencyTest {

    private static final long NOW = 1_764_590_400_000L;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RecordAccounting accounting = new RecordAccounting(registry, "enrichment-test");

    @Test
    void shouldMeasureBothClocksFromTheHeadersAnEarlierStageStamped() {
        // Given an order placed 90 s ago that entered the pipeline 2 s ago, stamped on its record
        RecordHeaders headers = new RecordHeaders();
        StageLatency.stamp(headers, NOW - 90_000, NOW - 2_000);

        // When the stage is done with it now
        accounting.latency().record("enrichment", NOW, headers);

        // Then the event clock says 90 s, the ingest clock 2 s, each in its own bucket
        Timer event = timer("enrichment", "event");
        Timer ingest = timer("enrichment", "ingest");
        assertThat(event.count()).isEqualTo(1);
        assertThat(event.totalTime(TimeUnit.SECONDS)).isEqualTo(90.0);
        assertThat(ingest.totalTime(TimeUnit.SECONDS)).isEqualTo(2.0);
        assertThat(countUpTo(ingest, 2.5)).isEqualTo(1);
        assertThat(countUpTo(ingest, 1.0)).isZero();
        assertThat(countUpTo(event, 60.0)).isZero();
        assertThat(countUpTo(event, 300.0)).isEqualTo(1);
    }

    @Test
    void shouldLeaveOutAClockWhoseTimeIsUnknownAndCountAFutureEventAsNoDelay() {
        // Given a record without latency headers, and an order whose event time is ahead of this clock
        accounting.latency().record("aggregation", NOW, new RecordHeaders());
        accounting.latency().record("ingest", NOW, NOW + 5_000, java.util.OptionalLong.empty());

        // Then the first gives no sample at all, the second an event-time sample of zero and no ingest sample
        assertThat(registry.find(StageLatency.METER).tag("stage", "aggregation").timers()).isEmpty();
        assertThat(timer("ingest", "event").count()).isEqualTo(1);
        assertThat(timer("ingest", "event").max(TimeUnit.MILLISECONDS)).isZero();
        assertThat(timer("ingest", "ingest").count()).isZero();
    }

    private Timer timer(String stage, String clock) {
        return registry.get(StageLatency.METER).tag("stage", stage).tag("clock", clock).tag("service", "enrichment-test").timer();
    }

    private static double countUpTo(Timer timer, double seconds) {
        return Arrays.stream(timer.takeSnapshot().histogramCounts())
                .filter(bucket -> bucket.bucket(TimeUnit.SECONDS) == seconds)
                .mapToDouble(CountAtBucket::count).findFirst().orElseThrow();
    }
}
