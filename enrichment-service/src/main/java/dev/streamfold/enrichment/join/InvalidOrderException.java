package dev.streamfold.enrichment.join;

/**
 * An order event the join must not take: without a value, or keyed by something other than its customer id (it
 * would be looked up in the wrong partition's customers, or against the wrong customer). Dead-lettered like a
 * missing reference, so the publisher can be told and the record replayed once fixed.
 */
public class InvalidOrderException extends RuntimeException {

    public InvalidOrderException(String message) {
        super(message);
    }
}
