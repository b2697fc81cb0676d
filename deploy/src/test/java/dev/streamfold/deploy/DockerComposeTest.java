package dev.streamfold.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** docker-compose.yml: valid Compose, healthy start order, real configuration, the local run's ports. */
class DockerComposeTest {

    private static Map<String, Object> compose;

    @BeforeAll
    static void readComposeFile() {
        compose = Yaml.loadMap(Repository.composeFile());
    }

    @Test
    void shouldFollowTheComposeSpecification() {
        // Given docker-compose.yml, as YAML reads it
        // When it is checked against the Compose specification's rules (ComposeRules)
        List<String> violations = ComposeRules.violations(compose);

        // Then it breaks none
        assertThat(violations).isEmpty();
    }

    @Test
    void shouldAcceptTheOtherFormsTheSpecificationAllows() {
        // Given a compose file using the forms docker-compose.yml does not: short depends_on, a list environment,
        // long ports and volumes, IPv6 and ranged ports, declared networks, on-failure with retries, extensions
        Map<String, Object> other = Yaml.loadMap("""
                version: "3.9"
                x-common: &common
                  restart: on-failure:3
                services:
                  web:
                    <<: *common
                    image: nginx:1
                    x-owner: streamfold
                    command: nginx -g 'daemon off;'
                    depends_on: [db]
                    environment:
                      - A=1
                      - B=
                      - FROM_THE_SHELL
                    ports:
                      - 80
                      - "8080:80"
                      - "127.0.0.1::81"
                      - "[::1]:8443:443/tcp"
                      - "9000-9001:9000-9001/udp"
                      - target: 82
                        published: "8082"
                        host_ip: 127.0.0.1
                        protocol: tcp
                        mode: host
                    volumes:
                      - /var/cache/nginx
                      - ./conf:/etc/nginx/conf.d:ro,z
                      - type: volume
                        source: data
                        target: /data
                      - type: tmpfs
                        target: /tmp
                    networks:
                      front:
                        aliases: [www]
                      default:
                    healthcheck:
                      test: curl -f http://localhost
                      interval: 1m30s
                      timeout: 500ms
                      start_interval: 1.5s
                    stop_grace_period: 1h2m3s
                  db:
                    build: ./db
                    environment:
                      ENABLED: true
                      EMPTY:
                    networks: [back]
                    healthcheck:
                      disable: true
                    restart: always
                volumes:
                  data:
                    driver: local
                networks:
                  front:
                  back:
                    internal: true
                """);

        // When it is checked
        // Then nothing is reported: the rules are no stricter than Compose
        assertThat(ComposeRules.violations(other)).isEmpty();
    }

    @Test
    void shouldRejectAnUnknownTopLevelKey() {
        // Given a compose file with a misspelt top-level element, next to an extension
        Map<String, Object> broken = Yaml.loadMap("""
                x-defaults:
                  restart: always
                services:
                  query:
                    image: streamfold/query-service:0.1.0
                volume:
                  query-state:
                """);

        // When it is checked
        // Then the misspelt element, and only it, is reported
        assertThat(ComposeRules.violations(broken)).singleElement().asString()
                .isEqualTo("volume: unknown key 'volume' at the top level");
    }

    @Test
    void shouldRejectAnUnknownServiceKey() {
        // Given a service with a misspelt healthcheck, next to an extension key
        Map<String, Object> broken = Yaml.loadMap("""
                services:
                  query:
                    image: streamfold/query-service:0.1.0
                    x-team: streamfold
                    healthchek:
                      test: ["CMD", "true"]
                """);

        // When it is checked
        // Then the misspelt key, and only it, is reported
        assertThat(ComposeRules.violations(broken)).singleElement().asString()
                .isEqualTo("services.query.healthchek: unknown key 'healthchek'");
    }

    @Test
    void shouldRejectAnUnknownDependsOnConditionOrService() {
        // Given a service waiting for a condition Compose does not know, and for a service the file does not have
        Map<String, Object> broken = Yaml.loadMap("""
                services:
                  query:
                    image: streamfold/query-service:0.1.0
                    depends_on:
                      kafka:
                        condition: service_ready
                      registry:
                        condition: service_healthy
                  kafka:
                    image: apache/kafka:4.2.1
                """);

        // When it is checked
        // Then both are reported
        assertThat(ComposeRules.violations(broken)).containsExactlyInAnyOrder(
                "services.query.depends_on.kafka.condition: 'service_ready' is none of "
                        + "[service_completed_successfully, service_healthy, service_started]",
                "services.query.depends_on: 'registry' is no service of the file");
    }

    @Test
    void shouldRejectAMalformedHealthcheck() {
        // Given a healthcheck with a misspelt key, durations Compose cannot read and a test of an unknown form
        Map<String, Object> broken = Yaml.loadMap("""
                services:
                  query:
                    image: streamfold/query-service:0.1.0
                    healthcheck:
                      test: ["RUN", "true"]
                      interval: 10 s
                      timeout: 1min
                      retries: many
                      start_periode: 60s
                """);

        // When it is checked
        // Then each is reported
        assertThat(ComposeRules.violations(broken)).containsExactlyInAnyOrder(
                "services.query.healthcheck.start_periode: unknown key 'start_periode'",
                "services.query.healthcheck.test: a list starts with NONE, CMD or CMD-SHELL, not 'RUN'",
                "services.query.healthcheck.interval: '10 s' is no Compose duration (e.g. 10s, 1m30s, 500ms; units us ms s m h)",
                "services.query.healthcheck.timeout: '1min' is no Compose duration (e.g. 10s, 1m30s, 500ms; units us ms s m h)",
                "services.query.healthcheck.retries: must be a whole number ≥ 0, not 'many'");
    }

    @Test
    void shouldRejectMalformedPorts() {
        // Given ports with an out-of-range host port, an address without a host port, and a misspelt long-form key
        Map<String, Object> broken = Yaml.loadMap("""
                services:
                  query:
                    image: streamfold/query-service:0.1.0
                    ports:
                      - "80800:8080"
                      - "127.0.0.1:8080"
                      - target: 8080
                        publish: 8080
                """);

        // When it is checked
        // Then each is reported
        assertThat(ComposeRules.violations(broken)).containsExactlyInAnyOrder(
                "services.query.ports[0]: 80800 is outside 1-65535",
                "services.query.ports[1]: '127.0.0.1' is no port or port range",
                "services.query.ports[2].publish: unknown key 'publish'");
    }

    @Test
    void shouldRejectAMalformedEnvironment() {
        // Given a mapping environment with a nested value, and a list environment with an entry without a name
        Map<String, Object> broken = Yaml.loadMap("""
                services:
                  query:
                    image: streamfold/query-service:0.1.0
                    environment:
                      SERVER_PORT: 8080
                      QUERY_STATE_DIR:
                        - /var/lib/streamfold
                  ingest:
                    image: streamfold/ingest-service:0.1.0
                    environment:
                      - SERVER_PORT=8091
                      - =8091
                      - SERVER_PORT=8092
                """);

        // When it is checked
        // Then each is reported
        assertThat(ComposeRules.violations(broken)).containsExactlyInAnyOrder(
                "services.query.environment.QUERY_STATE_DIR: must be a string, number, boolean or empty, not a list",
                "services.ingest.environment[1]: '=8091' is not NAME=value",
                "services.ingest.environment[2]: SERVER_PORT is set twice");
    }

    @Test
    void shouldRejectUndeclaredVolumesNetworksAndConfigs() {
        // Given a service using a named volume, a network and a config that the file does not declare
        Map<String, Object> broken = Yaml.loadMap("""
                services:
                  query:
                    image: streamfold/query-service:0.1.0
                    volumes:
                      - query-state:/var/lib/streamfold
                      - cache:/var/cache
                    networks: [backend]
                    configs:
                      - source: query-config
                        target: /etc/query.yml
                volumes:
                  query-state:
                """);

        // When it is checked
        // Then each undeclared name is reported
        assertThat(ComposeRules.violations(broken)).containsExactlyInAnyOrder(
                "services.query.volumes[1]: 'cache' is not declared under the top-level volumes",
                "services.query.networks: 'backend' is not declared under the top-level networks",
                "services.query.configs[0].source: 'query-config' is not declared under the top-level configs");
    }

    @Test
    void shouldRejectAnUnknownRestartPolicy() {
        // Given restart policies Compose does not know, and a no that YAML reads as a boolean
        Map<String, Object> broken = Yaml.loadMap("""
                services:
                  query:
                    image: streamfold/query-service:0.1.0
                    restart: sometimes
                  ingest:
                    image: streamfold/ingest-service:0.1.0
                    restart: on-failure:twice
                  state-volumes:
                    image: postgres:17
                    restart: no
                """);

        // When it is checked
        // Then each is reported
        assertThat(ComposeRules.violations(broken)).containsExactlyInAnyOrder(
                "services.query.restart: 'sometimes' is none of [always, no, on-failure, unless-stopped] or on-failure:<retries>",
                "services.ingest.restart: 'on-failure:twice' is none of [always, no, on-failure, unless-stopped] or on-failure:<retries>",
                "services.state-volumes.restart: is the boolean false: write \"no\" in quotes");
    }

    @Test
    void shouldBeAcceptedByDockerComposeWhenItIsInstalled() throws IOException, InterruptedException {
        // Given Compose itself, when this machine has it (docker-compose, or docker with the compose plugin)
        Optional<List<String>> composeCommand = composeCommand();
        assumeTrue(composeCommand.isPresent(), () -> "skipped: " + composeUnavailable
                + ", so `docker compose config -q` cannot check docker-compose.yml (the rules above still did)");

        // When it reads docker-compose.yml (config needs no daemon)
        List<String> command = new ArrayList<>(composeCommand.get());
        command.addAll(List.of("-f", Repository.composeFile().toString(), "config", "-q"));
        Run run = run(command);

        // Then it accepts the file
        assertThat(run.exitCode()).as(String.join(" ", command) + " printed:%n%s", run.output()).isZero();
    }

    @Test
    void shouldGiveEveryLongRunningServiceAHealthcheck() {
        // Given every service but the one-shot ones (run to completion before others start)
        // When their healthchecks are read
        // Then each has a test, and Streamfold's services check Actuator's readiness group on their own port
        services().forEach((name, service) -> {
            if (isOneShot(name)) {
                return;
            }
            Object test = Yaml.at(service, "healthcheck.test");
            assertThat(test).as(name + " healthcheck.test").isNotNull();
            assertThat(Yaml.at(service, "healthcheck.disable")).as(name).isNotEqualTo(true);
            if (ServiceConfiguration.MODULES.containsKey(name)) {
                String command = String.join(" ", stringList(test));
                String port = environment(name).get("SERVER_PORT");
                assertThat(command).as(name).contains("/actuator/health/readiness").contains("/127.0.0.1/" + port + " ");
            }
        });
    }

    @Test
    void shouldStartServicesOnlyOnceWhatTheyDependOnIsHealthyOrDone() {
        // Given every service's depends_on
        // When its entries are read
        // Then each names a service of the file with a condition: healthy for long-running ones, completed for one-shots
        services().forEach((name, service) -> {
            Object dependsOn = service.get("depends_on");
            if (dependsOn == null) {
                return;
            }
            assertThat(dependsOn).as(name + ".depends_on uses the long syntax with conditions").isInstanceOf(Map.class);
            ((Map<?, ?>) dependsOn).forEach((dependency, settings) -> {
                assertThat(services()).as(name + " depends on " + dependency).containsKey(String.valueOf(dependency));
                Object condition = settings instanceof Map<?, ?> map ? map.get("condition") : null;
                assertThat(condition).as(name + " → " + dependency).isEqualTo(isOneShot(String.valueOf(dependency))
                        ? "service_completed_successfully" : "service_healthy");
            });
        });
        assertThat(services().get("enrichment").get("depends_on")).asString().contains("kafka", "registry");
        assertThat(services().get("ingest").get("depends_on")).asString().contains("kafka", "registry", "postgres");
        assertThat(services().get("reconciliation").get("depends_on")).asString().contains("postgres");
    }

    @Test
    void shouldSetOnlyRealConfigurationPropertiesOfEachService() {
        // Given the environment of each of the five Streamfold services
        // When every variable is looked up among the properties that service binds
        // Then none is unknown
        for (String name : ServiceConfiguration.MODULES.keySet()) {
            assertThat(services()).as("compose service " + name).containsKey(name);
            ServiceConfiguration configuration = ServiceConfiguration.ofComponent(name);
            assertThat(configuration.unknown(environment(name).keySet())).as(name).isEmpty();
        }
    }

    @Test
    void shouldRejectAMisspeltVariableInAServiceEnvironment() {
        // Given a compose file whose enrichment service has a misspelt state directory variable
        Map<String, Object> broken = Yaml.loadMap("""
                services:
                  enrichment:
                    image: streamfold/enrichment-service:0.1.0
                    environment:
                      - SPRING_KAFKA_BOOTSTRAP_SERVERS=kafka:9092
                      - ENRICHMENT_STAT_DIR=/var/lib/streamfold
                """);

        // When its environment is checked like the real file's
        List<String> unknown = ServiceConfiguration.ofComponent("enrichment")
                .unknown(environmentOf(serviceOf(broken, "enrichment")).keySet());

        // Then the misspelt variable is reported, and only it
        assertThat(unknown).singleElement().asString().startsWith("ENRICHMENT_STAT_DIR").contains("ENRICHMENT_STATE_DIR");
    }

    @Test
    void shouldPublishTheLocalRunPortsOnTheLoopbackInterface() {
        // Given the local run's ports (README "Local run ports")
        Map<String, List<String>> expected = Map.of(
                "query", List.of("127.0.0.1:8080:8080"),
                "ingest", List.of("127.0.0.1:8091:8091"),
                "enrichment", List.of("127.0.0.1:8092:8092"),
                "aggregation", List.of("127.0.0.1:8093:8093"),
                "reconciliation", List.of("127.0.0.1:8094:8094"),
                "kafka", List.of("127.0.0.1:19092:19092"),
                "registry", List.of("127.0.0.1:18081:8080", "127.0.0.1:18091:9000"),
                "postgres", List.of("127.0.0.1:15432:5432"));

        // When the published ports are read
        // Then every service publishes exactly those
        expected.forEach((name, ports) -> assertThat(stringList(services().get(name).get("ports"))).as(name)
                .containsExactlyElementsOf(ports));
        // and each Streamfold service listens on the port it publishes
        ServiceConfiguration.MODULES.keySet().forEach(name -> {
            String published = stringList(services().get(name).get("ports")).get(0);
            assertThat(published).as(name).endsWith(":" + environment(name).get("SERVER_PORT"));
        });
    }

    @Test
    void shouldKeepStateInNamedVolumes() {
        // Given the top-level named volumes
        Map<String, Object> volumes = Yaml.loadMap(Yaml.dump(compose.get("volumes")));

        // When the Kafka Streams services, Kafka and PostgreSQL mount theirs
        // Then each state directory (the one the service is configured with) is a named volume of the file
        for (String name : List.of("enrichment", "aggregation", "query")) {
            String stateDir = environment(name).get(name.toUpperCase() + "_STATE_DIR");
            assertThat(stateDir).as(name + " state dir").isNotBlank();
            assertThat(stringList(services().get(name).get("volumes"))).as(name)
                    .anySatisfy(volume -> {
                        assertThat(volume).endsWith(":" + stateDir);
                        assertThat(volumes).containsKey(volume.substring(0, volume.indexOf(':')));
                    });
        }
        assertThat(stringList(services().get("kafka").get("volumes"))).contains("kafka-data:/var/lib/kafka/data");
        assertThat(environment("kafka")).containsEntry("KAFKA_LOG_DIRS", "/var/lib/kafka/data");
        assertThat(stringList(services().get("postgres").get("volumes"))).contains("postgres-data:/var/lib/postgresql/data");
    }

    @Test
    void shouldRunKafkaInKRaftModeWithTransactionsOnOneBroker() {
        // Given the kafka service
        Map<String, String> kafka = environment("kafka");

        // When its settings are read
        // Then it is the official image in KRaft mode, and the transaction log needs one replica only
        assertThat(String.valueOf(services().get("kafka").get("image"))).startsWith("apache/kafka:");
        assertThat(kafka.get("KAFKA_PROCESS_ROLES")).contains("broker").contains("controller");
        assertThat(kafka).containsEntry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
                .containsEntry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
                .containsEntry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
                .containsEntry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
        // and every service is pointed at its internal listener
        ServiceConfiguration.MODULES.keySet().forEach(name -> assertThat(environment(name))
                .as(name).containsEntry("SPRING_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092"));
        assertThat(kafka.get("KAFKA_ADVERTISED_LISTENERS")).contains("//kafka:9092").contains("//127.0.0.1:19092");
    }

    @Test
    void shouldRunPostgresWithLogicalReplicationAndTheShopSchema() {
        // Given the postgres service
        Map<String, Object> postgres = services().get("postgres");

        // When its command and mounts are read
        // Then it is PostgreSQL 17 with wal_level=logical, and the files it mounts exist in the repository
        assertThat(postgres.get("image")).isEqualTo("postgres:17");
        assertThat(stringList(postgres.get("command"))).containsSubsequence("-c", "wal_level=logical");
        for (String volume : stringList(postgres.get("volumes"))) {
            if (volume.startsWith("./")) {
                Path source = Repository.root().resolve(volume.substring(2, volume.indexOf(':')));
                assertThat(Files.isRegularFile(source)).as(source.toString()).isTrue();
            }
        }
        assertThat(String.valueOf(services().get("registry").get("image"))).startsWith("apicurio/apicurio-registry:3.");
    }

    @Test
    void shouldRunTheImagesOfTheChartsAppVersion() {
        // Given the chart's appVersion
        String appVersion = String.valueOf(Yaml.loadMap(Repository.chart().resolve("Chart.yaml")).get("appVersion"));

        // When the five services' images are read
        // Then each is streamfold/<module>:<appVersion>, as in the chart
        ServiceConfiguration.MODULES.forEach((name, module) -> assertThat(services().get(name).get("image"))
                .as(name).isEqualTo("streamfold/" + module + ":" + appVersion));
    }

    private static String composeUnavailable = "";

    /** docker-compose on the PATH, else docker if its compose plugin answers; else empty, saying why. */
    private static Optional<List<String>> composeCommand() throws IOException, InterruptedException {
        Optional<Path> dockerCompose = onPath("docker-compose");
        if (dockerCompose.isPresent()) {
            return Optional.of(List.of(dockerCompose.get().toString()));
        }
        Optional<Path> docker = onPath("docker");
        if (docker.isEmpty()) {
            composeUnavailable = "neither docker-compose nor docker is on the PATH";
            return Optional.empty();
        }
        Run version = run(List.of(docker.get().toString(), "compose", "version"));
        if (version.exitCode() != 0) {
            composeUnavailable = "no docker-compose on the PATH, and " + docker.get()
                    + " has no compose plugin (`docker compose version` exited " + version.exitCode() + ")";
            return Optional.empty();
        }
        return Optional.of(List.of(docker.get().toString(), "compose"));
    }

    private static Optional<Path> onPath(String executable) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String directory : path.split(File.pathSeparator)) {
            if (directory.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(directory).resolve(executable);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private record Run(int exitCode, String output) {
    }

    /** Runs a command in the repository's root, output and errors together; gives up after a minute. */
    private static Run run(List<String> command) throws IOException, InterruptedException {
        Path output = Files.createTempFile("streamfold-compose", ".log");
        try {
            Process process = new ProcessBuilder(command).directory(Repository.root().toFile())
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            process.getOutputStream().close();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                return new Run(-1, Files.readString(output, StandardCharsets.UTF_8) + "\n(no exit within 60 s)");
            }
            return new Run(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static boolean isOneShot(String name) {
        Map<String, Object> service = services().get(name);
        return service != null && "no".equals(String.valueOf(service.get("restart"))) && service.get("healthcheck") == null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services() {
        return (Map<String, Map<String, Object>>) compose.get("services");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> serviceOf(Map<String, Object> file, String name) {
        return (Map<String, Object>) ((Map<String, Object>) file.get("services")).get(name);
    }

    private static Map<String, String> environment(String service) {
        return environmentOf(services().get(service));
    }

    /** A service's environment, in either of Compose's forms (a mapping or a list of NAME=value). */
    private static Map<String, String> environmentOf(Map<String, Object> service) {
        Map<String, String> environment = new TreeMap<>();
        Object declared = service.get("environment");
        if (declared instanceof Map<?, ?> map) {
            map.forEach((key, value) -> environment.put(String.valueOf(key), value == null ? "" : String.valueOf(value)));
        } else if (declared instanceof List<?> list) {
            for (Object entry : list) {
                String text = String.valueOf(entry);
                int equals = text.indexOf('=');
                environment.put(equals < 0 ? text : text.substring(0, equals), equals < 0 ? "" : text.substring(equals + 1));
            }
        }
        return environment;
    }

    private static List<String> stringList(Object value) {
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return value == null ? List.of() : List.of(String.valueOf(value));
    }
}
