package dev.streamfold.enrichment.join;

import dev.streamfold.schemas.EnrichedOrder;

/**
 * What the reference join emits: either the enriched order, or the serialized order to dead-letter. One type so
 * that a single processor, and its punctuator, can feed both sinks; exactly one of the two fields is set.
 */
record JoinOutcome(EnrichedOrder enriched, byte[] deadLetter) {

    static JoinOutcome enriched(EnrichedOrder order) {
        return new JoinOutcome(order, null);
    }

    static JoinOutcome deadLetter(byte[] order) {
        return new JoinOutcome(null, order);
    }

    boolean isEnriched() {
        return enriched != null;
    }
}
