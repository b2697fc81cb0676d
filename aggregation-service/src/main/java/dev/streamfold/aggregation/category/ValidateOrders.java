package dev.streamfold.aggregation.category;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.order.InvalidOrderException;
import dev.streamfold.common.order.OrderRules;
import dev.streamfold.schemas.EnrichedOrder;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * The first step of every record read from {@code orders.enriched}: counts it as received, and rejects what must not be
 * counted: a record without a value, one not keyed by its order's customer id (decimal), and an order that breaks
 * {@link OrderRules} (judged against this service's wall clock). A rejected record is thrown on, so the processing
 * exception handler dead-letters its original bytes to {@code orders.enriched.dlq}; it changes no state.
 */
final class ValidateOrders implements FixedKeyProcessor<String, EnrichedOrder, EnrichedOrder> {


    private final OrderRules rules;
    private final RecordAccounting accounting;
    private final String stage;
    private FixedKeyProcessorContext<String, EnrichedOrder> context;

    ValidateOrders(OrderRules rules, RecordAccounting accounting, String stage) {
        this.rules = rules;
        this.accounting = accounting;
        this.stage = stage;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, EnrichedOrder> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, EnrichedOrder> record) {
        accounting.received(stage);
        // Thrown on: the processing exception handler dead-letters it, and counts it under the same stage.
        requireValid(record.key(), record.value(), Instant.ofEpochMilli(context.currentSystemTimeMs()));
        context.forward(record);
    }

    private void requireValid(String key, EnrichedOrder order, Instant now) {
        if (order == null) {
            throw new InvalidOrderException("An orders.enriched record with key " + key + " has no value (a tombstone)");
        }
        OrderRules.requireKeyedByCustomer(key, order.getCustomerId(), order.getOrderId(), order.getEventId());
        rules.requireValid(order, now);
    }
}
