package dev.streamfold.common.config;

/**
 * Avro 1.12 refuses to instantiate generated classes from packages it has not been told to trust.
 * Call before anything touches Avro (first line of {@code main}).
 */
public final class AvroTrust {

    static final String PROPERTY = "org.apache.avro.SERIALIZABLE_PACKAGES";
    static final String SCHEMAS_PACKAGE = "dev.streamfold.schemas";

    private AvroTrust() {
    }

    public static void trustStreamfoldSchemas() {
        String trusted = System.getProperty(PROPERTY);
        if (trusted == null || trusted.isBlank()) {
            System.setProperty(PROPERTY, SCHEMAS_PACKAGE);
        } else if (!trusted.contains(SCHEMAS_PACKAGE)) {
            System.setProperty(PROPERTY, trusted + "," + SCHEMAS_PACKAGE);
        }
    }
}
