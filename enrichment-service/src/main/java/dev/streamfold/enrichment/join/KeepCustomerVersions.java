package dev.streamfold.enrichment.join;

import dev.streamfold.schemas.Customer;
import java.time.Duration;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.VersionedKeyValueStore;

/**
 * Keeps every version of each customer in this task's versioned store (see {@link ReferenceVersions}); forwards
 * nothing. Runs after {@code validate-customer}, so the key is the customer's id.
 */
final class KeepCustomerVersions implements FixedKeyProcessor<String, Customer, Void> {

    private final String storeName;
    private final Duration history;
    private ReferenceVersions<Customer> versions;

    KeepCustomerVersions(String storeName, Duration history) {
        this.storeName = storeName;
        this.history = history;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Void> context) {
        VersionedKeyValueStore<String, Customer> store = context.getStateStore(storeName);
        versions = new ReferenceVersions<>(store, history, "customer");
    }

    @Override
    public void process(FixedKeyRecord<String, Customer> record) {
        Customer customer = record.value();
        versions.apply(record.key(), customer, customer == null ? 0 : customer.getValidFrom().toEpochMilli(),
                record.headers(), record.timestamp());
    }
}
