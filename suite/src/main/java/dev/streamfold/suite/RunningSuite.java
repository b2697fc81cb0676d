package dev.streamfold.suite;

import dev.streamfold.localstack.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The five services as separate JVMs, started from their jars, stopped together. */
final class RunningSuite implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RunningSuite.class);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(4);

    private final SuiteSettings settings;
    private final Map<Service, ManagedProcess> processes = new EnumMap<>(Service.class);

    private RunningSuite(SuiteSettings settings) {
        this.settings = settings;
    }

    /** Starts every service and returns once all report healthy; stops them all if one does not. */
    static RunningSuite start(SuiteSettings settings) {
        RunningSuite suite = new RunningSuite(settings);
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
        List<String> command = new ArrayList<>(List.of(ManagedProcess.currentJava(), "-Xmx384m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-jar", service.jar().toString()));
        command.addAll(ServiceArguments.of(service, settings));
        processes.put(service, ManagedProcess.start(service.id() + "-service", command, Map.of(), workDir(service),
                logFile(service), Duration.ofSeconds(30)));
        log.info("Started {}-service on port {} (log: {})", service.id(), settings.port(service), logFile(service));
    }

    private void awaitHealthy(Service service) {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(settings.baseUrl(service) + "/actuator/health"))
                .timeout(Duration.ofSeconds(5)).build();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!processes.get(service).isAlive()) {
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

    boolean allAlive() {
        return processes.values().stream().allMatch(ManagedProcess::isAlive);
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

    /** Stops all services at once: each gets SIGTERM and Spring's graceful shutdown. */
    @Override
    public void close() {
        processes.values().parallelStream().forEach(ManagedProcess::close);
        processes.clear();
    }
}
