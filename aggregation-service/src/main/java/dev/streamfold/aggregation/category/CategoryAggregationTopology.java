package dev.streamfold.aggregation.category;

import dev.streamfold.common.serde.SerdeFactory;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.schemas.EnrichedOrder;
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * {@code orders.enriched} → drop re-delivered event ids → re-key by product category → tumbling event-time
 * windows → order count and per-currency revenue → {@code aggregates.category}, keyed by (category, window start).
 *
 * <p>Every update of a window is published (no suppression), so the query side is live; the output topic is
 * compacted, so a reader that wants one value per window keeps the latest per key.
 */
public final class CategoryAggregationTopology {

    static final String SEEN_EVENT_IDS_STORE = "seen-event-ids";
    static final String CATEGORY_WINDOWS_STORE = "category-windows";
    static final String ORDERS_BY_CATEGORY_REPARTITION = "orders-by-category";

    /** Seen ids are points in time, not spans: the smallest window the store allows. */
    private static final Duration SEEN_AT_INSTANT = Duration.ofMillis(1);

    private CategoryAggregationTopology() {
    }

    /**
     * @param topics        the input and output topics and their serdes
     * @param internalSerdes serdes for the repartition topic and the window store's changelog; registry serdes in
     *                      production so that the writer's schema id travels with every record and a rolling
     *                      upgrade to an evolved schema can still read what the old version wrote
     * @param windows       window size and grace
     */
    public static Topology build(Topics topics, SerdeFactory internalSerdes, WindowSettings windows) {
        Topic<String, EnrichedOrder> input = topics.ordersEnriched();
        Topic<WindowKey, WindowAggregate> output = topics.categoryAggregates();
        StreamsBuilder builder = new StreamsBuilder();

        builder.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(SEEN_EVENT_IDS_STORE, windows.deduplicationRetention(), SEEN_AT_INSTANT, false),
                Serdes.String(), Serdes.Long()));

        builder.stream(input.name(), input.consumedAs("orders-enriched-source").withTimestampExtractor(new OrderEventTime()))
                // processValues, not process: the key is untouched, and the DSL knows no repartition is implied.
                .processValues(() -> new DeduplicateEvents(SEEN_EVENT_IDS_STORE, windows.deduplicationRetention()),
                        Named.as("deduplicate-events"), SEEN_EVENT_IDS_STORE)
                .selectKey((customerId, order) -> order.getProductCategory(), Named.as("key-by-category"))
                .groupByKey(Grouped.with(ORDERS_BY_CATEGORY_REPARTITION, Serdes.String(),
                        internalSerdes.value(ORDERS_BY_CATEGORY_REPARTITION, EnrichedOrder.class)))
                .windowedBy(TimeWindows.ofSizeAndGrace(windows.size(), windows.grace()))
                .aggregate(CategoryWindows::empty, CategoryWindows::add, Named.as("aggregate-category-windows"),
                        Materialized.<String, WindowAggregate, WindowStore<Bytes, byte[]>>as(CATEGORY_WINDOWS_STORE)
                                .withKeySerde(Serdes.String())
                                .withValueSerde(internalSerdes.value(CATEGORY_WINDOWS_STORE, WindowAggregate.class)))
                .toStream(Named.as("category-window-updates"))
                .map(CategoryWindows::published, Named.as("key-by-window"))
                .to(output.name(), output.producedAs("aggregates-category-sink"));

        return builder.build();
    }
}
