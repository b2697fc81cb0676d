package dev.streamfold.common.serde;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * Registry-backed Avro serdes in the Confluent wire format ({@link ConfluentAvroSerde}), so that producers using
 * Confluent's serializer against the registry's ccompat endpoint interoperate with us. One registry client, and so
 * one schema cache, for every serde the factory makes.
 */
public final class RegistrySerdeFactory implements SerdeFactory {

    private final SchemaRegistry registry;

    /** @param registryUrl the registry's Confluent-compatible API, or Apicurio's core API URL (mapped to it) */
    public RegistrySerdeFactory(String registryUrl) {
        this(new SchemaRegistryClient(registryUrl, SchemaRegistryClient.Retry.DEFAULT));
    }

    public RegistrySerdeFactory(SchemaRegistry registry) {
        this.registry = registry;
    }

    @Override
    public <T extends SpecificRecord> Serde<T> value(String topic, Class<T> type) {
        return new ConfluentAvroSerde<>(registry, type, false);
    }

    @Override
    public <T extends SpecificRecord> Serde<T> key(String topic, Class<T> type) {
        return new ConfluentAvroSerde<>(registry, type, true);
    }
}
