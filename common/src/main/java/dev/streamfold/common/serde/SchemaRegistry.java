package dev.streamfold.common.serde;

import org.apache.avro.Schema;

/** What {@link ConfluentAvroSerde} needs of a schema registry: writer schemas by id, ids by subject and schema. */
public interface SchemaRegistry {

    /**
     * @throws PoisonRecordException        if the registry does not know the id
     * @throws RegistryUnavailableException if the registry cannot be asked right now
     */
    Schema schemaById(int id);

    /**
     * Registers {@code schema} under {@code subject}, or finds it there, and returns its id.
     *
     * @throws PoisonRecordException        if the registry refuses the schema (e.g. incompatible)
     * @throws RegistryUnavailableException if the registry cannot be asked right now
     */
    int idOf(String subject, Schema schema);
}
