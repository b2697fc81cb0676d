package dev.streamfold.common.serde;

import io.apicurio.registry.serde.avro.AvroSerde;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * Apicurio's Avro serde in the Confluent wire format (magic byte 0, 4-byte schema id, Avro binary), so that
 * producers using Confluent's serializer against the registry's ccompat endpoint interoperate with us.
 */
public final class RegistrySerdeFactory implements SerdeFactory {

    private final Map<String, Object> config;

    public RegistrySerdeFactory(String registryUrl) {
        this(registryUrl, Map.of());
    }

    public RegistrySerdeFactory(String registryUrl, Map<String, ?> overrides) {
        Map<String, Object> settings = new HashMap<>();
        settings.put("apicurio.registry.url", registryUrl);
        settings.put("apicurio.registry.auto-register", true);
        settings.put("apicurio.registry.find-latest", true);
        // Pin the Confluent framing explicitly rather than relying on the library's current defaults.
        settings.put("apicurio.registry.headers.enabled", false);
        settings.put("apicurio.registry.id-handler", "io.apicurio.registry.serde.Default4ByteIdHandler");
        settings.put("apicurio.registry.use-id", "contentId");
        settings.put("apicurio.registry.use-specific-avro-reader", true);
        settings.putAll(overrides);
        this.config = Map.copyOf(settings);
    }

    @Override
    public <T extends SpecificRecord> Serde<T> value(String topic, Class<T> type) {
        return configured(false);
    }

    @Override
    public <T extends SpecificRecord> Serde<T> key(String topic, Class<T> type) {
        return configured(true);
    }

    private <T extends SpecificRecord> Serde<T> configured(boolean isKey) {
        AvroSerde<T> serde = new AvroSerde<>();
        serde.configure(config, isKey);
        return serde;
    }

    public Map<String, Object> config() {
        return config;
    }
}
