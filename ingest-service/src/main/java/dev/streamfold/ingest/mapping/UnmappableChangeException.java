package dev.streamfold.ingest.mapping;

/** A change event whose row cannot become a clean record: it goes to the dead-letter topic, the service goes on. */
public final class UnmappableChangeException extends RuntimeException {

    UnmappableChangeException(String message) {
        super(message);
    }

    UnmappableChangeException(String message, Throwable cause) {
        super(message, cause);
    }
}
