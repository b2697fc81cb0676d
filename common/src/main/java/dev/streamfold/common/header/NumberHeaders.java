package dev.streamfold.common.header;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.OptionalLong;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Numbers in record headers as decimal text, like every {@code streamfold.*} header: readable in any client's tools. */
public final class NumberHeaders {

    private NumberHeaders() {
    }

    /** Replaces any value of {@code name} the record came with. */
    public static void put(Headers headers, String name, long value) {
        headers.remove(name);
        headers.add(name, Long.toString(value).getBytes(UTF_8));
    }

    /** The last value of {@code name}; empty if absent or not a number (a header someone else wrote). */
    public static OptionalLong get(Headers headers, String name) {
        Header header = headers == null ? null : headers.lastHeader(name);
        if (header == null || header.value() == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(new String(header.value(), UTF_8)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
