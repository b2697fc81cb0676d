package dev.streamfold.query.aggregates;

import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.WindowKind;
import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.schemas.CustomerLifetime;
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Every live aggregate topic served into its own window store keyed by dimension value, so that one value's windows in
 * a time range are a single range scan; and {@code aggregates.customer.lifetime} into a key-value store by customer
 * id. An aggregate topic is keyed by (dimension value, window start), which spreads one value's windows over all
 * partitions: a window query therefore reads every partition's store.
 *
 * <p>Names, for the dimension {@code <d>} (e.g. {@code category}): source {@code <d>-aggregates-source}, processor
 * {@code materialize-<d>-windows}, store {@code <d>-windows} (tumbling); {@code <d>-hopping-aggregates-source},
 * {@code materialize-<d>-hopping-windows}, {@code <d>-hopping-windows} (hopping);
 * {@code customer-lifetimes-source}, {@code materialize-customer-lifetimes}, {@code customer-lifetimes}.
 */
final class AggregatesTopology {

    static final String LIFETIME_SOURCE = "customer-lifetimes-source";
    static final String LIFETIME_PROCESSOR = "materialize-customer-lifetimes";
    static final String LIFETIME_STORE = "customer-lifetimes";

    private AggregatesTopology() {
    }

    /**
     * @param served    which topics to materialise, and their windows
     * @param retention how far back from the newest window each window store keeps windows; at least the longest window
     */
    static Topology build(Topics topics, ServedAggregates served, Duration retention, RecordAccounting accounting) {
        Objects.requireNonNull(retention, "retention");
        StreamsBuilder builder = new StreamsBuilder();
        for (AggregateStream stream : served.streams()) {
            String store = storeName(stream);
            builder.addStateStore(windowStore(store, retention, served.windows(stream.kind()).size()));
            Topic<WindowKey, WindowAggregate> topic = topics.aggregates(stream);
            builder.stream(topic.name(), topic.consumedAs(sourceName(stream)))
                    .process(() -> new MaterializeWindows(store, accounting), Named.as(processorName(stream)), store);
        }
        if (served.customerLifetime()) {
            builder.addStateStore(lifetimeStore());
            Topic<String, CustomerLifetime> topic = topics.customerLifetimes();
            builder.stream(topic.name(), topic.consumedAs(LIFETIME_SOURCE))
                    .process(() -> new MaterializeCustomerLifetimes(LIFETIME_STORE, accounting),
                            Named.as(LIFETIME_PROCESSOR), LIFETIME_STORE);
        }
        return builder.build();
    }

    /** {@code category-windows}, {@code category-hopping-windows}, … */
    static String storeName(AggregateStream stream) {
        return baseName(stream) + "-windows";
    }

    static String sourceName(AggregateStream stream) {
        return baseName(stream) + "-aggregates-source";
    }

    static String processorName(AggregateStream stream) {
        return "materialize-" + baseName(stream) + "-windows";
    }

    private static String baseName(AggregateStream stream) {
        return stream.dimension().id() + (stream.kind() == WindowKind.HOPPING ? "-hopping" : "");
    }

    /**
     * Values are plain Avro binary with the compiled-in schema: only this service reads its changelogs, so a registry
     * lookup would buy nothing (a schema change means rebuilding the stores from the aggregate topics).
     */
    private static StoreBuilder<WindowStore<String, WindowAggregate>> windowStore(String name, Duration retention,
            Duration windowSize) {
        return Stores.windowStoreBuilder(Stores.persistentWindowStore(name, retention, windowSize, false),
                Serdes.String(), new AvroBinarySerde<>(WindowAggregate.class));
    }

    private static StoreBuilder<KeyValueStore<String, CustomerLifetime>> lifetimeStore() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(LIFETIME_STORE), Serdes.String(),
                new AvroBinarySerde<>(CustomerLifetime.class));
    }
}
