package dev.streamfold.enrichment.join;

/**
 * An order still refers to a customer or product the service has not seen after waiting the maximum time. Never
 * thrown: it names the error in the dead letter's headers, like the exceptions the dead-letter handlers catch.
 */
public class MissingReferenceException extends RuntimeException {

    public MissingReferenceException(String message) {
        super(message);
    }
}
