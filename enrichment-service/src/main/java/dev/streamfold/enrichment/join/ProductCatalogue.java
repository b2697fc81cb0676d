package dev.streamfold.enrichment.join;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.deadletter.DeadLetterHeaders;
import dev.streamfold.common.deadletter.DeadLetterPublisher;
import dev.streamfold.common.deadletter.DeadLetterSource;
import dev.streamfold.common.deadletter.Faults;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.schemas.Product;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the global, versioned products store (every version by its {@code valid_from}, see {@link ReferenceVersions}),
 * reading {@code products} as raw bytes so that no record can fail before it gets
 * here. A global store's thread cannot forward, take part in a transaction or use the dead-letter handlers (a failed
 * record there would stop the whole client), so this processor decodes and checks each record itself and sends what it
 * cannot take to {@code products.dlq} through a {@link DeadLetterPublisher}. Kafka Streams re-runs it over the topic on
 * restore, so the store only ever holds valid products; a dead letter may then be sent again, with the same source
 * offset in its headers.
 *
 * <p>A registry that cannot be reached is waited for: the product is needed, and only product updates are delayed.
 */
final class ProductCatalogue implements Processor<byte[], byte[], Void, Void> {

    private static final Logger log = LoggerFactory.getLogger(ProductCatalogue.class);
    private static final Duration REGISTRY_RETRY = Duration.ofSeconds(1);

    private final Topic<String, Product> products;
    private final String storeName;
    private final Duration history;
    private final DeadLetterPublisher deadLetters;
    private final RecordAccounting accounting;
    private ProcessorContext<Void, Void> context;
    private ReferenceVersions<Product> versions;

    ProductCatalogue(Topic<String, Product> products, String storeName, Duration history, DeadLetterPublisher deadLetters,
            RecordAccounting accounting) {
        this.products = products;
        this.storeName = storeName;
        this.history = history;
        this.deadLetters = deadLetters;
        this.accounting = accounting;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        VersionedKeyValueStore<String, Product> store = context.getStateStore(storeName);
        this.versions = new ReferenceVersions<>(store, history, "product");
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        accounting.received(products.name());
        try {
            apply(record);
            accounting.forwarded(products.name());
        } catch (RuntimeException e) {
            deadLetter(record, e);
        }
    }

    private void apply(Record<byte[], byte[]> record) {
        if (record.key() == null) {
            throw new InvalidReferenceException("A products record has no key; it must be keyed by the product id");
        }
        String key = new String(record.key(), StandardCharsets.UTF_8);
        if (record.value() == null) {
            versions.apply(key, null, 0, record.headers(), record.timestamp());
            return;
        }
        Product product = decode(record.value());
        if (!Long.toString(product.getId()).equals(key)) {
            throw new InvalidReferenceException("Product " + product.getId() + " is keyed by " + key + ", not by its id");
        }
        versions.apply(key, product, product.getValidFrom().toEpochMilli(), record.headers(), record.timestamp());
    }

    private Product decode(byte[] value) {
        while (true) {
            try {
                return products.valueSerde().deserializer().deserialize(products.name(), value);
            } catch (RuntimeException e) {
                if (!Faults.isTransient(e)) {
                    throw e;
                }
                log.warn("Cannot read a product for now, retrying in {}: {}", REGISTRY_RETRY, e.getMessage());
                pause();
            }
        }
    }

    private void deadLetter(Record<byte[], byte[]> record, RuntimeException error) {
        RecordMetadata metadata = context.recordMetadata().orElseThrow();
        DeadLetterSource source = new DeadLetterSource(context.applicationId(), metadata.topic(), metadata.partition(), metadata.offset());
        log.warn("{}-{}@{} is not a product the catalogue can take, sending it to {}: {}", metadata.topic(),
                metadata.partition(), metadata.offset(), source.deadLetterTopic(), error.getMessage());
        deadLetters.publish(DeadLetterHeaders.deadLetter(source, record.key(), record.value(), record.headers(), error, Instant.now()));
        accounting.deadLettered(products.name(), Faults.reason(error));
    }

    private static void pause() {
        try {
            Thread.sleep(REGISTRY_RETRY);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the registry", e);
        }
    }
}
