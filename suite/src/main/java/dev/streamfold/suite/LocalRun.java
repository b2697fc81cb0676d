package dev.streamfold.suite;

import dev.streamfold.localstack.Directories;
import dev.streamfold.localstack.Endpoints;
import dev.streamfold.localstack.LocalStack;
import dev.streamfold.localstack.LocalStackOptions;
import dev.streamfold.schemas.db.ShopDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole suite on this machine: Kafka, the registry and PostgreSQL, the five services as separate JVMs and a
 * generator placing orders. Fixed loopback ports, so the printed URLs are stable. Ctrl-C stops everything.
 */
public final class LocalRun {

    private static final Logger log = LoggerFactory.getLogger(LocalRun.class);
    private static final Map<Service, Integer> PORTS = Map.of(
            Service.INGEST, 8091, Service.ENRICHMENT, 8092, Service.AGGREGATION, 8093,
            Service.RECONCILIATION, 8094, Service.QUERY, 8080);

    private LocalRun() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path workDir = Path.of("target", "demo").toAbsolutePath();
        CountDownLatch stopped = new CountDownLatch(1);
        Shutdown shutdown = new Shutdown(stopped);
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown::run, "local-run-shutdown"));

        // The infrastructure starts empty on every run, so the services must too: state left by the last run (Kafka
        // Streams' stores and checkpoints) would name offsets and stores the new broker does not have.
        Directories.deleteRecursively(workDir.resolve("services"));
        LocalStack stack = shutdown.register(LocalStack.start(new LocalStackOptions(workDir.resolve("infra"), 19092, 18081, 18091, 15432)));
        Endpoints endpoints = stack.endpoints();
        String jdbcUrl = stack.createDatabase("streamfold");
        SuiteSettings.Database database = SuiteSettings.Database.fromJdbcUrl(jdbcUrl, endpoints.postgresUser(), endpoints.postgresPassword());
        ShopDatabase shop = new ShopDatabase(database.jdbcUrl(), database.user(), database.password()).createSchema();
        DemoGenerator generator = new DemoGenerator(shop, 5);
        generator.seedCatalogue();

        SuiteSettings settings = new SuiteSettings(endpoints.bootstrapServers(), endpoints.registryUrl(), database, "",
                "streamfold", workDir.resolve("services"), PORTS, Duration.ofSeconds(10));
        log.info("Starting the five services (logs in {})", settings.workDir());
        RunningSuite suite = shutdown.register(RunningSuite.start(settings));
        // Stopped before the services (newest first), so that their shutdown is not taken for deaths.
        shutdown.register(Supervisor.watch(suite));
        shutdown.register(generator);
        generator.start();
        printWelcome(settings, endpoints);
        stopped.await();
    }

    private static void printWelcome(SuiteSettings settings, Endpoints endpoints) {
        String query = settings.baseUrl(Service.QUERY);
        System.out.printf("""

                ================================================================================
                 Streamfold is running. Orders are being placed in PostgreSQL (5 per second).

                 Live aggregates (last hour, per 1-minute window):
                   curl '%1$s/api/v1/aggregates/category/books'
                   curl '%1$s/api/v1/aggregates/category/games'
                   (categories: %2$s)
                 Reconciliation verdicts:
                   curl '%3$s/api/v1/reconciliation/total'
                 Health / metrics:   %1$s/actuator/health   %1$s/actuator/prometheus
                 Kafka: %4$s   Registry: %5$s   PostgreSQL: %6$s (user postgres)

                 Ctrl-C stops everything.
                ================================================================================
                %n""", query, String.join(", ", DemoGenerator.CATEGORIES), settings.baseUrl(Service.RECONCILIATION),
                endpoints.bootstrapServers(), endpoints.registryCcompatUrl(), settings.database().jdbcUrl());
    }

    /** Stops what was started, newest first, once: on Ctrl-C, on SIGTERM and on a failed start alike. */
    private static final class Shutdown {
        private final Deque<AutoCloseable> resources = new ArrayDeque<>();
        private final CountDownLatch stopped;

        Shutdown(CountDownLatch stopped) {
            this.stopped = stopped;
        }

        synchronized <T extends AutoCloseable> T register(T resource) {
            resources.push(resource);
            return resource;
        }

        synchronized void run() {
            System.out.println("Stopping Streamfold…");
            while (!resources.isEmpty()) {
                try {
                    resources.pop().close();
                } catch (Exception e) {
                    log.warn("Stop failed", e);
                }
            }
            stopped.countDown();
            System.out.println("Stopped.");
        }
    }
}
