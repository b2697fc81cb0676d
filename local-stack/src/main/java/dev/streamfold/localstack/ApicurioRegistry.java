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
 * global compatibility BACKWARD (the registry's own default is NONE). Its storage is an H2 database in a file
 * under the work dir, not the distribution's in-memory default, so that it can be stopped and started again
 * on the same ports and still serve the same schema ids: tests use that to take the registry away mid-stream.
 */
final class ApicurioRegistry implements AutoCloseable {

    static final String HOME_PROPERTY = "streamfold.apicurio.home";
    private static final String COMPATIBILITY = "BACKWARD";

    private final Path workDir;
    private final int port;
    private final int managementPort;
    private ManagedProcess process;
    private boolean closed;

    private ApicurioRegistry(Path workDir, int port, int managementPort) {
        this.workDir = workDir;
        this.port = port;
        this.managementPort = managementPort;
    }

    static ApicurioRegistry start(Path workDir, int requestedPort, int requestedManagementPort) {
        requireJava21();
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ApicurioRegistry registry = new ApicurioRegistry(workDir.toAbsolutePath(), Ports.orFree(requestedPort),
                Ports.orFree(requestedManagementPort));
        registry.restart();
        return registry;
    }

    /**
     * Starts the registry process (again) on the same ports and storage, and returns once it is ready; does nothing
     * if it runs. Stops it again if it does not come up, so that a failed start leaves no process behind. The wait
     * happens outside the lock, so that {@link #close()} (Ctrl-C, JVM exit) never waits for a start to finish.
     */
    void restart() {
        ManagedProcess started;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the registry was closed");
            }
            if (isRunning()) {
                return;
            }
            stop(); // one that died by itself: let go of its guard
            started = ManagedProcess.start("apicurio-registry", command(), Map.of(), workDir, log(), Duration.ofSeconds(20));
            process = started;
        }
        try {
            awaitReady(started, Duration.ofSeconds(120));
            ensureGlobalCompatibility();
        } catch (RuntimeException e) {
            stopIfCurrent(started);
            throw new IllegalStateException(e.getMessage() + " (see " + log() + ")", e);
        }
    }

    /** Stops the registry gracefully (SIGTERM) and waits for it to exit; its storage stays. Does nothing if stopped. */
    synchronized void stop() {
        if (process != null) {
            process.close();
            process = null;
        }
    }

    private synchronized void stopIfCurrent(ManagedProcess started) {
        if (process == started) {
            stop();
        }
    }

    synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    private List<String> command() {
        return List.of(ManagedProcess.currentJava(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.host=127.0.0.1", "-Dquarkus.management.port=" + managementPort,
                "-Dquarkus.log.level=WARN", "-Dquarkus.log.category.\"io.apicurio\".level=INFO",
                "-Dapicurio.storage.kind=sql", "-Dapicurio.storage.sql.kind=h2",
                "-Dapicurio.datasource.url=" + storageUrl(),
                "-jar", home().resolve("quarkus-run.jar").toString());
    }

    /**
     * H2 in a file, so schemas and their ids survive a restart. WRITE_DELAY=0 writes each commit to the file at
     * once (H2 otherwise delays up to 500 ms), so even a SIGKILLed registry keeps what it acknowledged;
     * DB_CLOSE_ON_EXIT=FALSE leaves closing the database to Quarkus' own orderly shutdown.
     */
    private String storageUrl() {
        return "jdbc:h2:file:" + workDir.resolve("h2").resolve("registry") + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
    }

    private Path log() {
        return workDir.resolve("registry.log");
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

    private void awaitReady(ManagedProcess process, Duration timeout) {
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

    /**
     * Sets the global compatibility unless the registry has it already: after a restart it does, since the setting
     * is stored with the schemas; so this is safe to run on every start.
     */
    private void ensureGlobalCompatibility() {
        HttpResponse<String> current = send(HttpRequest.newBuilder(URI.create(ccompatUrl() + "/config")).build());
        if (current.statusCode() == 200 && current.body().contains("\"" + COMPATIBILITY + "\"")) {
            return;
        }
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(ccompatUrl() + "/config"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"" + COMPATIBILITY + "\"}"))
                .build());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("setting compatibility failed: " + response.statusCode() + " " + response.body());
        }
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
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

    /** Stops the registry, whatever state it is in, for good. */
    @Override
    public synchronized void close() {
        closed = true;
        stop();
    }
}
