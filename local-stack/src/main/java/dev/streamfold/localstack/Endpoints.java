package dev.streamfold.localstack;

/** How clients reach a running {@link LocalStack}. */
public record Endpoints(String bootstrapServers, String registryUrl, String registryCcompatUrl,
        String postgresJdbcUrl, String postgresUser, String postgresPassword) {
}
