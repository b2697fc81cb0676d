package dev.streamfold.common.order;

import dev.streamfold.common.accounting.RecordAccounting;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * The first processor after an order topic's source: counts the record as received by its stage, and lets it through
 * only if it keeps the topic's contract (see {@link OrderRules#requireValidRecord}), judged by this service's wall
 * clock. A record that does not is thrown on: the processing exception handler dead-letters its original bytes to the
 * topic's {@code .dlq} with the reason, and counts it under the same stage. Nothing is changed for it.
 *
 * @param <V> the order type of the topic
 */
public final class ValidateOrderRecords<V> implements FixedKeyProcessor<String, V, V> {

    /** The contract of one order topic, e.g. {@code rules::requireValidRecord}. */
    @FunctionalInterface
    public interface Contract<V> {
        void requireValid(String key, V order, Instant now);
    }

    private final Contract<V> contract;
    private final RecordAccounting accounting;
    private final String stage;
    private FixedKeyProcessorContext<String, V> context;

    public ValidateOrderRecords(Contract<V> contract, RecordAccounting accounting, String stage) {
        this.contract = contract;
        this.accounting = accounting;
        this.stage = stage;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, V> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, V> record) {
        accounting.received(stage);
        contract.requireValid(record.key(), record.value(), Instant.ofEpochMilli(context.currentSystemTimeMs()));
        context.forward(record);
    }
}
