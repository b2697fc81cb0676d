package dev.streamfold.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The Apicurio Registry from its Maven Central distribution, as a separate JVM on the same JDK 21+ as ours,
 * in-memory storage, global compatibility BACKWARD (the registry's own default is NONE).
 */
final class ApicurioRegistry implements AutoCloseable {

    static final String HOME_PROPERTY = "streamfold.apicurio.home";

    private final ManagedProcess process;
    private final int port;

    private ApicurioRegistry(ManagedProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    static ApicurioRegistry start(Path workDir, int requestedPort, int requestedManagementPort) {
        requireJava21();
        int port = Ports.orFree(requestedPort);
        int managementPort = Ports.orFree(requestedManagementPort);
        Path home = home();
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = List.of(ManagedProcess.currentJava(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.host=127.0.0.1", "-Dquarkus.management.port=" + managementPort,
                "-Dquarkus.log.level=WARN", "-Dquarkus.log.category.\"io.apicurio\".level=INFO",
                "-jar", home.resolve("quarkus-run.jar").toString());
        ManagedProcess process = ManagedProcess.start("apicurio-registry", command, Map.of(), workDir,
                workDir.resolve("registry.log"), Duration.ofSeconds(20));
        ApicurioRegistry registry = new ApicurioRegistry(process, port);
        try {
            registry.awaitReady(managementPort, Duration.ofSeconds(120));
            registry.setGlobalCompatibility("BACKWARD");
        } catch (RuntimeException e) {
            registry.close();
            throw new IllegalStateException(e.getMessage() + " (see " + workDir.resolve("registry.log") + ")", e);
        }
        return registry;
    }

    private static void requireJava21() {
        if (Runtime.version().feature() < 21) {
            throw new IllegalStateException("The Apicurio Registry needs Java 21+, this JVM is " + Runtime.version()
                    + ". Install a JDK 21 or newer (e.g. apt-get install openjdk-21-jdk) and run through ./mvnw, which selects it.");
        }
    }

    private static Path home() {
        String configured = System.getProperty(HOME_PROPERTY);
        if (configured == null) {
            try (InputStream in = ApicurioRegistry.class.getResourceAsStream("/streamfold-local-stack.properties")) {
                Properties props = new Properties();
                props.load(in);
                configured = props.getProperty("apicurio.home");
            } catch (IOException | NullPointerException e) {
                throw new IllegalStateException("local-stack was not built by Maven: set -D" + HOME_PROPERTY, e);
            }
        }
        Path home = Path.of(configured);
        if (!Files.isRegularFile(home.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException("No Apicurio Registry at " + home + ": build local-stack with ./mvnw first");
        }
        return home;
    }

    private void awaitReady(int managementPort, Duration timeout) {
        HttpClient http = HttpClient.newHttpClient();
        URI health = URI.create("http://127.0.0.1:" + managementPort + "/health/ready");
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Apicurio Registry exited during start-up");
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException ignored) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            pause();
        }
        throw new IllegalStateException("Apicurio Registry not ready within " + timeout);
    }

    private static void pause() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void setGlobalCompatibility(String level) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(ccompatUrl() + "/config"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"" + level + "\"}"))
                .build();
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException("setting compatibility failed: " + response.statusCode() + " " + response.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The core API that Apicurio's serdes use. */
    String url() {
        return "http://127.0.0.1:" + port + "/apis/registry/v3";
    }

    /** The Confluent-compatible API, for Confluent clients. */
    String ccompatUrl() {
        return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
    }

    @Override
    public void close() {
        process.close();
    }
}
