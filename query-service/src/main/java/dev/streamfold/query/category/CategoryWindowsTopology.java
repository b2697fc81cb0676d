package dev.streamfold.query.category;

import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.accounting.RecordAccounting;
import dev.streamfold.common.serde.AvroBinarySerde;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.schemas.WindowAggregate;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * {@code aggregates.category} into a window store keyed by category, so that one category's windows in a time
 * range are a single range scan. The aggregate topic is keyed by (category, window start), which spreads one
 * category's windows over all partitions: a query therefore reads every partition's store.
 */
final class CategoryWindowsTopology {

    static final String SOURCE = "category-aggregates-source";
    static final String PROCESSOR = "materialize-category-windows";
    static final String STORE = "category-windows";

    private CategoryWindowsTopology() {
    }

    /**
     * @param windowSize size of the upstream aggregation windows
     * @param retention  how far back from the newest window the store keeps windows
     */
    record StoreSettings(Duration windowSize, Duration retention) {
        StoreSettings {
            Objects.requireNonNull(windowSize, "windowSize");
            Objects.requireNonNull(retention, "retention");
        }
    }

    static Topology build(Topics topics, StoreSettings settings, RecordAccounting accounting) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(categoryWindowsStore(settings));
        builder.stream(topics.aggregates(AggregateStream.live(Dimension.CATEGORY)).name(), topics.aggregates(AggregateStream.live(Dimension.CATEGORY)).consumedAs(SOURCE))
                .process(() -> new MaterializeCategoryWindows(accounting), Named.as(PROCESSOR), STORE);
        return builder.build();
    }

    /**
     * Values are plain Avro binary with the compiled-in schema: only this service reads its changelog, so a registry
     * lookup would buy nothing (a schema change means rebuilding the store from the aggregate topic).
     */
    private static StoreBuilder<WindowStore<String, WindowAggregate>> categoryWindowsStore(StoreSettings settings) {
        return Stores.windowStoreBuilder(
                Stores.persistentWindowStore(STORE, settings.retention(), settings.windowSize(), false),
                Serdes.String(), new AvroBinarySerde<>(WindowAggregate.class));
    }
}
