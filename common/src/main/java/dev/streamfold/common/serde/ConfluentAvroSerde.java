package dev.streamfold.common.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro in the Confluent wire format: magic byte 0, the schema's 4-byte registry id (big-endian), Avro binary. What
 * Confluent's serializers, Apicurio's serde in Confluent mode and librdkafka-based clients all read and write.
 *
 * <p>Written for Streamfold rather than taken from Apicurio's serde (3.1.7) for two reasons, both measured or
 * observed: that serde recomputes the schema's parsing fingerprint on every record (39–48 % of the stream threads'
 * CPU in the profile of {@code ../shared/performance.md}, 2026-12-01), and its failures ("artifact reference cannot be
 * null", "ProblemDetails: null", a {@code ClassCastException} further down the topology for a record of another
 * schema) cannot tell a broken record from an unreachable registry. Here the per-record path is a map lookup by id
 * and the Avro codec, and every failure is either a {@link PoisonRecordException} saying what is wrong with the
 * record, or a {@link RegistryUnavailableException} (retriable).
 *
 * <p>Subjects follow Confluent's TopicNameStrategy ({@code <topic>-value}, {@code <topic>-key}), as do Apicurio's
 * serdes, so schemas registered by either are found by the other.
 */
public final class ConfluentAvroSerde<T extends SpecificRecord> implements Serde<T> {

    static final byte MAGIC_BYTE = 0;
    static final int HEADER_BYTES = 5;

    private final SchemaRegistry registry;
    private final Schema readerSchema;
    private final boolean isKey;
    private final SpecificDatumWriter<T> writer;
    private final Map<Integer, SpecificDatumReader<T>> readersByWriterId = new ConcurrentHashMap<>();
    /** The id of this type's schema per topic written to: registered once, then a map lookup per record. */
    private final Map<String, Integer> idsByTopic = new ConcurrentHashMap<>();

    /**
     * A buffered encoder, the output it fills and a decoder, reused record after record by each thread (a serde is
     * shared by every stream thread of a service). Avro's direct encoder, new per record, wrote each byte through the
     * stream's synchronized {@code write}; with the reuse, the serializer's share of the aggregation's stream thread
     * fell from 10.3 % to 8.9 % (JFR, {@code PipelineBenchmark}, both jars in one run).
     */
    private static final ThreadLocal<Codecs> CODECS = ThreadLocal.withInitial(Codecs::new);

    private static final class Codecs {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        private BinaryEncoder encoder;
        private BinaryDecoder decoder;
    }

    public ConfluentAvroSerde(SchemaRegistry registry, Class<T> type, boolean isKey) {
        this.registry = registry;
        this.readerSchema = SpecificData.get().getSchema(type);
        this.isKey = isKey;
        this.writer = new SpecificDatumWriter<>(readerSchema);
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, data) -> data == null ? null : write(topic, data);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> bytes == null ? null : read(bytes);
    }

    /** The registry client is shared by every serde of the process; Kafka clients closing a serde must not end it. */
    @Override
    public void close() {
    }

    private byte[] write(String topic, T data) {
        Integer id = idsByTopic.get(topic);
        if (id == null) {
            id = registry.idOf(topic + (isKey ? "-key" : "-value"), readerSchema);
            idsByTopic.putIfAbsent(topic, id);
        }
        Codecs codecs = CODECS.get();
        // Configured first: a reused encoder hands bytes left from a failed record to the stream, which is reset next.
        BinaryEncoder encoder = codecs.encoder = EncoderFactory.get().binaryEncoder(codecs.out, codecs.encoder);
        ByteArrayOutputStream out = codecs.out;
        out.reset();
        out.write(MAGIC_BYTE);
        out.write(id >>> 24);
        out.write(id >>> 16);
        out.write(id >>> 8);
        out.write(id);
        try {
            writer.write(data, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new PoisonRecordException("cannot write " + readerSchema.getName() + " as Avro: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    private T read(byte[] bytes) {
        if (bytes.length < HEADER_BYTES || bytes[0] != MAGIC_BYTE) {
            throw new PoisonRecordException("not Confluent wire format (" + describeStart(bytes) + ")");
        }
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        SpecificDatumReader<T> reader = readerFor(id);
        Codecs codecs = CODECS.get();
        BinaryDecoder decoder = codecs.decoder = DecoderFactory.get().binaryDecoder(bytes, HEADER_BYTES,
                bytes.length - HEADER_BYTES, codecs.decoder);
        T value;
        try {
            value = reader.read(null, decoder);
        } catch (IOException | RuntimeException e) {
            throw new PoisonRecordException("the Avro body of a " + reader.getSchema().getName() + " record (schema id " + id
                    + ") is truncated or corrupt: " + e, e);
        }
        if (!isFullyRead(decoder)) {
            throw new PoisonRecordException("the Avro body of a " + reader.getSchema().getName() + " record (schema id " + id
                    + ") has bytes left over after the record: corrupt or framed with the wrong schema id");
        }
        return value;
    }

    private SpecificDatumReader<T> readerFor(int id) {
        SpecificDatumReader<T> cached = readersByWriterId.get(id);
        if (cached != null) {
            return cached;
        }
        Schema writerSchema = registry.schemaById(id);
        SchemaPairCompatibility compatibility = SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writerSchema);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new PoisonRecordException("schema " + writerSchema.getName() + " (id " + id + ") is not readable as "
                    + readerSchema.getName() + ": " + compatibility.getDescription());
        }
        SpecificDatumReader<T> reader = new SpecificDatumReader<>(writerSchema, readerSchema);
        readersByWriterId.putIfAbsent(id, reader);
        return reader;
    }

    private static boolean isFullyRead(BinaryDecoder decoder) {
        try {
            return decoder.isEnd();
        } catch (IOException e) {
            return false;
        }
    }

    private static String describeStart(byte[] bytes) {
        if (bytes.length == 0) {
            return "empty value";
        }
        if (bytes.length < HEADER_BYTES) {
            return bytes.length + " bytes, shorter than the 5-byte header";
        }
        return String.format("first byte 0x%02x, expected 0x00", bytes[0]);
    }
}
