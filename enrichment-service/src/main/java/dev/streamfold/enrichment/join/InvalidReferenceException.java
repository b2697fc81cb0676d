package dev.streamfold.enrichment.join;

/** A customer or product record that the tables must not take (no key, or keyed by something else than its id). */
class InvalidReferenceException extends RuntimeException {

    InvalidReferenceException(String message) {
        super(message);
    }
}
