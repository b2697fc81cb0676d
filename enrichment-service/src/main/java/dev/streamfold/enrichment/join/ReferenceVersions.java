package dev.streamfold.enrichment.join;

import dev.streamfold.common.reference.ValidFrom;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.state.VersionedKeyValueStore;

/**
 * Writes versions of reference data (customers, products) into a Kafka Streams versioned store by when they became
 * valid in event time, not by when they were read: a version at its {@code valid_from}, a delete (tombstone) at the
 * time in its {@link ValidFrom#HEADER} header, or its record time if it has none. Orders are then joined with the
 * version valid at their event time, however late, early or out of order the versions were read.
 */
final class ReferenceVersions<V> {

    private final VersionedKeyValueStore<String, V> store;
    private final Duration history;
    private final String what;

    ReferenceVersions(VersionedKeyValueStore<String, V> store, Duration history, String what) {
        this.store = store;
        this.history = history;
        this.what = what;
    }

    /** @param validFrom the version's own {@code valid_from}; ignored for a delete ({@code value == null}) */
    void apply(String key, V value, long validFrom, Headers headers, long recordTimestamp) {
        long from = value == null ? ValidFrom.of(headers).orElse(recordTimestamp) : validFrom;
        if (store.put(key, value, from) == VersionedKeyValueStore.PUT_RETURN_CODE_NOT_PUT) {
            // Only a version older than the whole history is refused: joining it would need history we chose not to keep.
            throw new InvalidReferenceException("The " + (value == null ? "delete" : "version") + " of " + what + " " + key
                    + " valid from " + Instant.ofEpochMilli(from) + " is older than the kept reference history ("
                    + history + ", enrichment.reference-history)");
        }
    }
}
