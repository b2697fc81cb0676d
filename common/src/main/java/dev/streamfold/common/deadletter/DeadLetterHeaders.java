package dev.streamfold.common.deadletter;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Instant;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The headers every dead letter carries, whichever service wrote it, so that one tool can inspect and replay
 * any {@code <topic>.dlq}. Values are UTF-8 text; the record's key and value are the original bytes.
 */
public final class DeadLetterHeaders {

    public static final String SERVICE = "streamfold.dlq.service";
    public static final String SOURCE_TOPIC = "streamfold.dlq.source.topic";
    public static final String SOURCE_PARTITION = "streamfold.dlq.source.partition";
    public static final String SOURCE_OFFSET = "streamfold.dlq.source.offset";
    public static final String ERROR_CLASS = "streamfold.dlq.error.class";
    public static final String ERROR_MESSAGE = "streamfold.dlq.error.message";
    public static final String FAILED_AT = "streamfold.dlq.failed.at";

    private static final int MAX_MESSAGE_CHARS = 2_000;

    private DeadLetterHeaders() {
    }

    /** Our headers after the original ones, so nothing the producer sent is lost. */
    public static Headers describe(DeadLetterSource source, Throwable error, Instant failedAt, Headers original) {
        RecordHeaders headers = new RecordHeaders();
        if (original != null) {
            for (Header header : original) {
                headers.add(header);
            }
        }
        headers.add(SERVICE, bytes(source.service()));
        headers.add(SOURCE_TOPIC, bytes(source.topic()));
        headers.add(SOURCE_PARTITION, bytes(Integer.toString(source.partition())));
        headers.add(SOURCE_OFFSET, bytes(Long.toString(source.offset())));
        headers.add(ERROR_CLASS, bytes(rootCause(error).getClass().getName()));
        headers.add(ERROR_MESSAGE, bytes(truncate(describe(error))));
        headers.add(FAILED_AT, bytes(failedAt.toString()));
        return headers;
    }

    /** The dead letter of a record of {@code source}: same key and value bytes, sent to {@code <topic>.dlq}. */
    public static ProducerRecord<byte[], byte[]> deadLetter(DeadLetterSource source, byte[] key, byte[] value,
            Headers original, Throwable error, Instant failedAt) {
        return new ProducerRecord<>(source.deadLetterTopic(), null, key, value,
                describe(source, error, failedAt, original));
    }

    public static String text(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), UTF_8);
    }

    private static String describe(Throwable error) {
        Throwable root = rootCause(error);
        String message = Objects.toString(error.getMessage(), error.getClass().getSimpleName());
        return root == error ? message : message + " (caused by " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }

    private static Throwable rootCause(Throwable error) {
        Throwable current = error;
        while (current.getCause() != null && current.getCause() != current) {
            current = current.getCause();
        }
        return current;
    }

    private static String truncate(String text) {
        return text.length() <= MAX_MESSAGE_CHARS ? text : text.substring(0, MAX_MESSAGE_CHARS) + "…";
    }

    private static byte[] bytes(String text) {
        return text == null ? null : text.getBytes(UTF_8);
    }
}
