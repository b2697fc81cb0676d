package dev.streamfold.enrichment.join;

/**
 * An order refers to a customer or product the service has not seen. Thrown inside the topology so that the
 * processing exception handler dead-letters the raw order instead of the join silently dropping it.
 */
public class MissingReferenceException extends RuntimeException {

    public MissingReferenceException(String message) {
        super(message);
    }
}
