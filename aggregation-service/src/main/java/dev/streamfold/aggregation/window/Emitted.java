package dev.streamfold.aggregation.window;

import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Emission;
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A window's figures for one of the outputs ({@code aggregates.<dimension>[.hopping][.final]}): from the final stage,
 * or, for a window complete on one input partition ({@link AggregateKey#completeOnOnePartition()}), from that partition.
 */
record Emitted(AggregateStream stream, WindowAggregate aggregate) implements WindowingOutput {

    /** On a final result published again because its window changed after it was closed. */
    static final String AMENDED_HEADER = "streamfold.final.amended";

    static Emitted of(AggregateKey key, Partial figures, Emission emission, WindowSettings windows) {
        long end = windows.spec(key.kind()).end(key.windowStart());
        return new Emitted(new AggregateStream(key.dimension(), key.kind(), emission), figures.toAggregate(
                key.dimension().id(), key.value(), key.windowStart(), end, emission == Emission.FINAL));
    }

    /**
     * These live figures as the window's final result: the same field values (shared, never changed after they are
     * built), with {@code final_result} set. A customer's window mostly sends its last live figures and its final
     * result together, and building the figures (quantiles, maps) twice was a cost per order.
     */
    Emitted asFinal() {
        WindowAggregate last = new WindowAggregate();
        for (int field = 0; field < aggregate.getSchema().getFields().size(); field++) {
            last.put(field, aggregate.get(field));
        }
        last.setFinalResult(true);
        return new Emitted(new AggregateStream(stream.dimension(), stream.kind(), Emission.FINAL), last);
    }

    /** The headers of a final result published again: {@value #AMENDED_HEADER}. */
    static Headers amendedFinal() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(AMENDED_HEADER, "true".getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    /** The output topics' key: the dimension value and the window start. */
    WindowKey windowKey() {
        return new WindowKey(aggregate.getDimensionValue(), aggregate.getWindowStart());
    }
}
