package dev.streamfold.suite;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * How to run the suite: where the infrastructure is, which database to capture, names that keep one run apart
 * from another on a shared broker, and the HTTP port of each service.
 */
record SuiteSettings(
        String bootstrapServers,
        String registryUrl,
        Database database,
        String topicPrefix,
        String instanceName,
        Path workDir,
        Map<Service, Integer> ports,
        Duration reconciliationInterval,
        Map<Service, List<String>> extraArguments) {

    SuiteSettings(String bootstrapServers, String registryUrl, Database database, String topicPrefix, String instanceName,
            Path workDir, Map<Service, Integer> ports, Duration reconciliationInterval) {
        this(bootstrapServers, registryUrl, database, topicPrefix, instanceName, workDir, ports, reconciliationInterval, Map.of());
    }

    /** The same settings with command-line properties added for one service, e.g. a shorter grace for a test. */
    SuiteSettings withArguments(Service service, String... arguments) {
        Map<Service, List<String>> extra = new EnumMap<>(Service.class);
        extra.putAll(extraArguments);
        extra.merge(service, List.of(arguments), (before, added) -> Stream.concat(before.stream(), added.stream()).toList());
        return new SuiteSettings(bootstrapServers, registryUrl, database, topicPrefix, instanceName, workDir, ports,
                reconciliationInterval, Map.copyOf(extra));
    }

    List<String> extraArguments(Service service) {
        return extraArguments.getOrDefault(service, List.of());
    }

    /** The operational database that ingest captures and reconciliation checks. */
    record Database(String host, int port, String name, String user, String password) {

        String jdbcUrl() {
            return "jdbc:postgresql://" + host + ":" + port + "/" + name;
        }

        /** From {@code jdbc:postgresql://host:port/name}. */
        static Database fromJdbcUrl(String jdbcUrl, String user, String password) {
            String rest = jdbcUrl.substring("jdbc:postgresql://".length());
            int colon = rest.indexOf(':');
            int slash = rest.indexOf('/');
            int query = rest.indexOf('?');
            String name = query < 0 ? rest.substring(slash + 1) : rest.substring(slash + 1, query);
            return new Database(rest.substring(0, colon), Integer.parseInt(rest.substring(colon + 1, slash)), name, user, password);
        }
    }

    int port(Service service) {
        return ports.get(service);
    }

    String baseUrl(Service service) {
        return "http://127.0.0.1:" + port(service);
    }
}
