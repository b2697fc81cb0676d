package dev.streamfold.common.serde;

import org.apache.kafka.common.errors.RetriableException;

/** The schema registry could not be reached or failed: nothing is wrong with the record, try it again later. */
public class RegistryUnavailableException extends RetriableException {

    public RegistryUnavailableException(String message) {
        super(message);
    }

    public RegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
