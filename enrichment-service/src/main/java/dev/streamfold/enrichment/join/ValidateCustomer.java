package dev.streamfold.enrichment.join;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.schemas.Customer;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * A customer change is applied to the table only if it is keyed by the customer's id: a record without a key would be
 * dropped silently by the table, one under another key would give the customer to someone else's orders. A tombstone
 * (a deleted customer) is a valid change. Anything else is thrown on and dead-lettered to {@code customers.dlq}.
 */
final class ValidateCustomer implements FixedKeyProcessor<String, Customer, Customer> {

    private final RecordAccounting accounting;
    private final String stage;
    private FixedKeyProcessorContext<String, Customer> context;

    ValidateCustomer(RecordAccounting accounting, String stage) {
        this.accounting = accounting;
        this.stage = stage;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Customer> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, Customer> record) {
        accounting.received(stage);
        if (record.key() == null) {
            throw new InvalidReferenceException("A customers record has no key; it must be keyed by the customer id");
        }
        Customer customer = record.value();
        if (customer != null && !Long.toString(customer.getId()).equals(record.key())) {
            throw new InvalidReferenceException("Customer " + customer.getId() + " is keyed by " + record.key()
                    + ", not by its id");
        }
        context.forward(record);
        // Counted once applied: a version the store refuses is dead-lettered (and counted) instead.
        accounting.forwarded(stage);
    }
}
