package dev.streamfold.enrichment.join;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.order.InvalidOrderException;
import dev.streamfold.common.order.OrderRules;
import dev.streamfold.schemas.Order;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * The contract every publisher of {@code orders} signs: a value that passes the shared {@link OrderRules}, keyed by
 * the order's customer id (otherwise it would be joined with the wrong partition's customers, or the wrong customer).
 * A record that breaks it is thrown on, and the processing exception handler dead-letters it with the reason.
 */
final class ValidateOrder implements FixedKeyProcessor<String, Order, Order> {

    private final OrderRules rules;
    private final RecordAccounting accounting;
    private final String stage;
    private FixedKeyProcessorContext<String, Order> context;

    ValidateOrder(OrderRules rules, RecordAccounting accounting, String stage) {
        this.rules = rules;
        this.accounting = accounting;
        this.stage = stage;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Order> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, Order> record) {
        accounting.received(stage);
        Order order = record.value();
        if (order == null) {
            throw new InvalidOrderException("Order event with key " + record.key() + " has no value (a tombstone in orders)");
        }
        rules.requireValid(order, Instant.ofEpochMilli(context.currentSystemTimeMs()));
        OrderRules.requireKeyedByCustomer(record.key(), order.getCustomerId(), order.getOrderId(), order.getEventId());
        context.forward(record);
    }
}
