package dev.streamfold.query.aggregates;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.schemas.CustomerLifetime;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/** Keeps the latest lifetime totals of every customer; a tombstone removes them. */
final class MaterializeCustomerLifetimes implements Processor<String, CustomerLifetime, Void, Void> {

    private final String storeName;
    private final RecordAccounting accounting;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, CustomerLifetime> store;

    MaterializeCustomerLifetimes(String storeName, RecordAccounting accounting) {
        this.storeName = storeName;
        this.accounting = accounting;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, CustomerLifetime> record) {
        String customerId = record.key();
        if (customerId == null) {
            // Thrown rather than skipped, so the processing handler dead-letters the record instead of losing it.
            throw new IllegalArgumentException("customer lifetime without a key");
        }
        CustomerLifetime lifetime = record.value();
        if (lifetime == null) {
            store.delete(customerId);
            return;
        }
        if (!customerId.equals(lifetime.getCustomerId())) {
            // Under another customer's key it would be found under the wrong id.
            throw new IllegalArgumentException("lifetime of customer " + lifetime.getCustomerId() + " is keyed by "
                    + customerId);
        }
        store.put(customerId, lifetime);
        accounting.latency().record(MaterializeWindows.LATENCY_STAGE, context.currentSystemTimeMs(), record.headers());
    }
}
