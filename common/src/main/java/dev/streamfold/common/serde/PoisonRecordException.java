package dev.streamfold.common.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * The record itself is at fault and will fail the same way every time: not the Confluent wire format, an unknown
 * schema id, a schema of another type, a truncated or corrupt body. Dead-lettered; the message says which, in plain
 * words, for the person who reads the dead letter.
 */
public class PoisonRecordException extends SerializationException {

    public PoisonRecordException(String message) {
        super(message);
    }

    public PoisonRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
