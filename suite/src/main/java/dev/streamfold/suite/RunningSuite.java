package dev.streamfold.suite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The five services as separate JVMs, started from their jars or images (see {@link Launcher}), stopped together. A test can also stop, kill and
 * start single services while the others run, to see how the chain copes with one of them gone.
 */
final class RunningSuite implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RunningSuite.class);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(4);

    private final SuiteSettings settings;
    // The services that should be running; a test's polling thread reads it while the test thread stops one.
    private final Map<Service, ServiceProcess> processes = new ConcurrentHashMap<>();
    private final Launcher launcher;

    private RunningSuite(SuiteSettings settings, Launcher launcher) {
        this.settings = settings;
        this.launcher = launcher;
    }

    /** Starts every service and returns once all report healthy; stops them all if one does not. */
    static RunningSuite start(SuiteSettings settings) {
        RunningSuite suite = new RunningSuite(settings, Launcher.fromSystemProperties());
        try {
            for (Service service : Service.values()) {
                suite.launch(service);
            }
            for (Service service : Service.values()) {
                suite.awaitHealthy(service);
            }
            return suite;
        } catch (RuntimeException e) {
            suite.close();
            throw e;
        }
    }

    private void launch(Service service) {
        processes.put(service, launcher.start(service, ServiceArguments.of(service, settings), workDir(service),
                logFile(service)));
        log.info("Started {}-service on port {} (log: {})", service.id(), settings.port(service), logFile(service));
    }

    private void awaitHealthy(Service service) {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(settings.baseUrl(service) + "/actuator/health"))
                .timeout(Duration.ofSeconds(5)).build();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (Thread.currentThread().isInterrupted()) {
                throw new IllegalStateException("interrupted while waiting for " + service.id() + "-service");
            }
            ServiceProcess process = processes.get(service);
            if (process == null || !process.isAlive()) {
                throw new IllegalStateException(service.id() + "-service exited during start-up:\n" + tail(service));
            }
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("\"UP\"")) {
                    return;
                }
            } catch (IOException notYetListening) {
                // keep polling
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            pause();
        }
        throw new IllegalStateException(service.id() + "-service not healthy within " + START_TIMEOUT + ":\n" + tail(service));
    }

    /** The services that should be running but are not: crashed, killed from outside, or exited by themselves. */
    Map<Service, String> deadServices() {
        Map<Service, String> dead = new EnumMap<>(Service.class);
        processes.forEach((service, process) -> {
            if (!process.isAlive()) {
                dead.put(service, process.howItEnded());
            }
        });
        return dead;
    }

    /**
     * Kills one service with SIGKILL and leaves it for dead, as the OOM killer would: unlike {@link #kill}, the suite
     * still expects it to run, so a {@link Supervisor} restarts it.
     */
    void crash(Service service) {
        ServiceProcess process = processes.get(service);
        if (process != null) {
            process.crash();
            log.info("Crashed {}-service (SIGKILL)", service.id());
        }
    }

    /** Whether every service that should be running still runs: one stopped or killed on purpose does not count. */
    boolean allAlive() {
        return processes.values().stream().allMatch(ServiceProcess::isAlive);
    }

    /** Stops one service gracefully (SIGTERM, Spring's graceful shutdown) and returns once it has exited. */
    void stop(Service service) {
        ServiceProcess process = processes.remove(service);
        if (process != null) {
            process.close();
            log.info("Stopped {}-service", service.id());
        }
    }

    /**
     * Kills one service with SIGKILL, as a crash or the OOM killer would: no shutdown hooks, no commit of
     * offsets or transactions. Returns once it is gone.
     */
    void kill(Service service) {
        ServiceProcess process = processes.remove(service);
        if (process != null) {
            process.kill();
            log.info("Killed {}-service", service.id());
        }
    }

    /**
     * Starts a stopped, killed or crashed service again, with the same arguments (so the same application id,
     * state directory and port) and the same log file, appended to; returns once it reports healthy. Only waits
     * for health if it runs.
     */
    void start(Service service) {
        ServiceProcess current = processes.get(service);
        if (current == null || !current.isAlive()) {
            if (current != null) {
                current.close(); // crashed: let go of its guard
            }
            markRestart(service);
            launch(service);
        }
        awaitHealthy(service);
    }

    /** The body of the service's {@code /actuator/prometheus}: its metrics in Prometheus' text format. */
    String metrics(Service service) {
        HttpResponse<String> response = get(service, "/actuator/prometheus");
        if (response.statusCode() != 200) {
            throw new IllegalStateException(service.id() + "-service metrics: HTTP " + response.statusCode());
        }
        return response.body();
    }

    /** The body of the service's {@code /actuator/health}, whether UP (200) or not (503 carries the details). */
    String health(Service service) {
        return get(service, "/actuator/health").body();
    }

    private HttpResponse<String> get(Service service, String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(settings.baseUrl(service) + path))
                .timeout(Duration.ofSeconds(10)).build();
        try {
            return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(service.id() + "-service is not answering " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** A line in the appended log, so that a reader of the log (or of {@link #tail}) sees where a new run begins. */
    private void markRestart(Service service) {
        try {
            Files.writeString(logFile(service), "%n===== %s-service restarted at %s =====%n".formatted(service.id(), Instant.now()),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last lines of a service's log, for failure messages. */
    String tail(Service service) {
        try {
            List<String> lines = Files.readAllLines(logFile(service));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    String tails() {
        StringBuilder all = new StringBuilder();
        for (Service service : Service.values()) {
            all.append("\n===== ").append(service.id()).append("-service =====\n").append(tail(service));
        }
        return all.toString();
    }

    /**
     * The stacks of the running services' Kafka threads (stream threads, producer network threads), from a thread dump
     * each JVM writes to its log: where a stalled pipeline waits, for failure messages.
     */
    String kafkaThreadStacks() {
        StringBuilder all = new StringBuilder();
        processes.forEach((service, process) -> {
            long logged = logSize(service);
            if (process.requestThreadDump()) {
                all.append("\n===== ").append(service.id()).append("-service, Kafka threads =====\n")
                        .append(kafkaThreads(awaitThreadDump(service, logged)));
            }
        });
        return all.toString();
    }

    private String awaitThreadDump(Service service, long from) {
        Instant deadline = Instant.now().plusSeconds(5);
        String appended = "";
        // HotSpot ends a thread dump with its JNI reference count.
        while (!appended.contains("JNI global refs") && Instant.now().isBefore(deadline)) {
            pause();
            appended = logSince(service, from);
        }
        return appended;
    }

    private static String kafkaThreads(String dump) {
        StringBuilder threads = new StringBuilder();
        for (String thread : dump.split("\n\n")) {
            String name = thread.strip();
            if (name.startsWith("\"") && (name.contains("StreamThread") || name.contains("kafka-producer-network-thread"))) {
                threads.append(name).append("\n\n");
            }
        }
        return threads.isEmpty() ? "(no thread dump)\n" : threads.toString();
    }

    private long logSize(Service service) {
        try {
            return Files.size(logFile(service));
        } catch (IOException e) {
            return 0;
        }
    }

    private String logSince(Service service, long from) {
        try (var channel = Files.newByteChannel(logFile(service))) {
            channel.position(from);
            return new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private Path workDir(Service service) {
        try {
            return Files.createDirectories(settings.workDir().resolve(service.id()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path logFile(Service service) {
        return settings.workDir().resolve(service.id() + "-service.log");
    }

    private static void pause() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops all running services at once: each gets SIGTERM and Spring's graceful shutdown. */
    @Override
    public void close() {
        List<ServiceProcess> running = List.copyOf(processes.values());
        processes.clear();
        running.parallelStream().forEach(ServiceProcess::close);
    }
}
