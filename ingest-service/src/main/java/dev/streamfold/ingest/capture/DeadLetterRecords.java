package dev.streamfold.ingest.capture;

import dev.streamfold.common.deadletter.DeadLetterHeaders;
import dev.streamfold.common.deadletter.DeadLetterSource;
import dev.streamfold.ingest.mapping.MappedChange.Unmappable;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Dead letters of change events that cannot be mapped: key and value are the Debezium key and envelope as plain JSON
 * (readable and replayable without Debezium's schemas), sent to the {@code .dlq} of the topic the row was meant for.
 *
 * <p>A change event has no Kafka partition or offset of its own. The headers say partition {@value #NO_PARTITION}
 * and, as offset, the PostgreSQL LSN of the change (-1 if Debezium gave none): the position to look it up in the WAL.
 */
final class DeadLetterRecords {

    static final String SERVICE = "ingest-service";
    static final int NO_PARTITION = -1;

    private final JsonConverter keyJson = json(true);
    private final JsonConverter valueJson = json(false);

    ProducerRecord<byte[], byte[]> of(SourceRecord change, Unmappable unmappable, Instant failedAt) {
        DeadLetterSource source = new DeadLetterSource(SERVICE, unmappable.topic().name(), NO_PARTITION, unmappable.lsn());
        byte[] key = keyJson.fromConnectData(source.deadLetterTopic(), change.keySchema(), change.key());
        byte[] value = valueJson.fromConnectData(source.deadLetterTopic(), change.valueSchema(), change.value());
        return DeadLetterHeaders.deadLetter(source, key, value, null, unmappable.error(), failedAt);
    }

    private static JsonConverter json(boolean isKey) {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, false), isKey);
        return converter;
    }
}
