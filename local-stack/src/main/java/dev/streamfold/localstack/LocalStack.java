package dev.streamfold.localstack;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real infrastructure without Docker: a KRaft Kafka broker (in this JVM), the Apicurio Registry (a child JVM)
 * and PostgreSQL with logical replication (a child postmaster), all on 127.0.0.1. Used by the integration tests
 * (through {@link LocalStackExtension}, once per test JVM) and by the local demo run. The registry can be stopped
 * and started again ({@link #stopRegistry()}, {@link #startRegistry()}) without losing its schemas.
 */
public final class LocalStack implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalStack.class);
    private static LocalStack shared;

    private final Path workDir;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private KafkaBroker kafka;
    private PostgresServer postgres;
    private ApicurioRegistry registry;
    private boolean closed;

    private LocalStack(Path workDir) {
        this.workDir = workDir;
    }

    /** Starts everything; stops what did start if anything fails. */
    public static LocalStack start(LocalStackOptions options) {
        LocalStack stack = new LocalStack(options.workDir().toAbsolutePath());
        try {
            stack.startAll(options);
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    /**
     * The stack of this JVM, started on first use under {@code target/local-stack} with random ports, stopped when
     * the JVM exits.
     */
    public static synchronized LocalStack shared() {
        if (shared == null) {
            Path dir = Path.of("target", "local-stack", UUID.randomUUID().toString().substring(0, 8));
            shared = start(LocalStackOptions.randomPorts(dir));
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "local-stack-shutdown"));
        }
        return shared;
    }

    private void startAll(LocalStackOptions options) {
        long begin = System.nanoTime();
        Directories.deleteRecursively(workDir);
        // The registry is a separate JVM and the slowest to come up: start it first, let it boot while the others start.
        RegistryStart registryStart = new RegistryStart(workDir.resolve("registry"), options);
        registryStart.begin();
        kafka = track(KafkaBroker.start(workDir.resolve("kafka"), options.kafkaPort()));
        postgres = track(PostgresServer.start(workDir.resolve("postgres"), options.postgresPort()));
        registry = track(registryStart.await());
        log.info("Local stack up in {} ms: Kafka {}, registry {}, PostgreSQL {}", (System.nanoTime() - begin) / 1_000_000,
                kafka.bootstrapServers(), registry.url(), postgres.jdbcUrl("postgres"));
    }

    private <T extends AutoCloseable> T track(T component) {
        started.push(component);
        return component;
    }

    public Endpoints endpoints() {
        return new Endpoints(kafka.bootstrapServers(), registry.url(), registry.ccompatUrl(),
                postgres.jdbcUrl("postgres"), PostgresServer.USER, "");
    }

    /** A new, empty database; returns its JDBC URL (user {@code postgres}, no password). */
    public String createDatabase(String name) {
        return postgres.createDatabase(name);
    }

    /**
     * Creates topics as the services that write them would, for a test of a service that only reads them (every
     * service creates only the topics it writes). Topics that exist already are left as they are.
     */
    public void createTopics(Collection<NewTopic> topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            for (var result : admin.createTopics(topics).values().entrySet()) {
                try {
                    result.getValue().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + result.getKey(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    public Path workDir() {
        return workDir;
    }

    /**
     * Stops the registry gracefully and waits until it has exited, to test how clients behave without it; the rest
     * of the stack runs on. Its schemas stay in its storage. Does nothing if it is stopped already.
     */
    public void stopRegistry() {
        long begin = System.nanoTime();
        registryOfOpenStack().stop();
        log.info("Registry stopped in {} ms", (System.nanoTime() - begin) / 1_000_000);
    }

    /**
     * Starts the registry again on the same ports, with the same schemas and ids, and returns once it is ready;
     * does nothing if it runs. Not synchronized with {@link #close()}, so that a JVM exit never waits for it.
     */
    public void startRegistry() {
        long begin = System.nanoTime();
        registryOfOpenStack().restart();
        log.info("Registry ready in {} ms", (System.nanoTime() - begin) / 1_000_000);
    }

    /**
     * Restarts PostgreSQL (fast shutdown, then a start on the same port with the same data), as a database restart or
     * failover looks to its clients: every connection, replication included, is cut. Returns once it is up again.
     */
    public void restartPostgres() {
        long begin = System.nanoTime();
        PostgresServer server;
        synchronized (this) {
            if (closed || postgres == null) {
                throw new IllegalStateException("the local stack is " + (closed ? "closed" : "not started"));
            }
            server = postgres;
        }
        server.restart();
        log.info("PostgreSQL restarted in {} ms", (System.nanoTime() - begin) / 1_000_000);
    }

    private synchronized ApicurioRegistry registryOfOpenStack() {
        if (closed || registry == null) {
            throw new IllegalStateException("the local stack is " + (closed ? "closed" : "not started"));
        }
        return registry;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        while (!started.isEmpty()) {
            AutoCloseable component = started.pop();
            try {
                component.close();
            } catch (Exception e) {
                log.warn("Stopping {} failed", component.getClass().getSimpleName(), e);
            }
        }
    }

    /** Starts the registry on a background thread so its boot overlaps Kafka's and PostgreSQL's. */
    private static final class RegistryStart {
        private final Path dir;
        private final LocalStackOptions options;
        private final CompletableFuture<ApicurioRegistry> future = new CompletableFuture<>();

        RegistryStart(Path dir, LocalStackOptions options) {
            this.dir = dir;
            this.options = options;
        }

        void begin() {
            Thread.ofPlatform().name("registry-start").daemon().start(() -> {
                try {
                    future.complete(ApicurioRegistry.start(dir, options.registryPort(), options.registryManagementPort()));
                } catch (RuntimeException e) {
                    future.completeExceptionally(e);
                }
            });
        }

        ApicurioRegistry await() {
            try {
                return future.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
        }
    }
}
