package dev.streamfold.common.order;

/**
 * An order that breaks {@link OrderRules}, or the contract of the topic it was read from (a value, keyed by its
 * customer id). A fault of the record itself: it is dead-lettered, never retried.
 */
public class InvalidOrderException extends RuntimeException {

    public InvalidOrderException(String message) {
        super(message);
    }
}
