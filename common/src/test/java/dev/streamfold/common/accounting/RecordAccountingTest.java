package dev.streamfold.common.accounting;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamfold.common.accounting.RecordAccounting.Outcome;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class RecordAccountingTest {

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final RecordAccounting accounting = new RecordAccounting(registry, "enrichment-service");

    @Test
    void shouldCountEachOutcomeOfEachStageAndDeadLettersByReason() {
        // When a stage receives five records: two forwarded, two dead-lettered for different reasons, one late
        for (int i = 0; i < 5; i++) {
            accounting.received("orders");
        }
        accounting.forwarded("orders");
        accounting.forwarded("orders");
        accounting.deadLettered("orders", "invalid-order");
        accounting.deadLettered("orders", "poison-record");
        accounting.late("orders");
        accounting.duplicate("customers");

        // Then the books of the stage balance, and each dead letter is counted under its reason
        assertThat(accounting.count("orders", Outcome.RECEIVED)).isEqualTo(5);
        assertThat(accounting.count("orders", Outcome.FORWARDED) + accounting.count("orders", Outcome.DEAD_LETTERED)
                + accounting.count("orders", Outcome.LATE) + accounting.count("orders", Outcome.DUPLICATE)).isEqualTo(5);
        assertThat(registry.get(RecordAccounting.METER).tag("stage", "orders").tag("reason", "poison-record").counter().count())
                .isEqualTo(1);
        assertThat(accounting.count("customers", Outcome.DUPLICATE)).isEqualTo(1);
        assertThat(accounting.count("customers", Outcome.RECEIVED)).isZero();
    }

    @Test
    void shouldRegisterEachMeterOnceHoweverManyRecordsAreCounted() {
        // When many records of one stage are counted
        for (int i = 0; i < 10_000; i++) {
            accounting.received("orders");
            accounting.deadLettered("orders", "invalid-order");
        }

        // Then the registry holds one meter per outcome of the stage (four plain ones, one per dead-letter reason)
        assertThat(registry.find(RecordAccounting.METER).tag("stage", "orders").counters()).hasSize(5);
        assertThat(accounting.count("orders", Outcome.RECEIVED)).isEqualTo(10_000);
    }
}
