package dev.streamfold.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamfold.localstack.LocalStack;
import dev.streamfold.localstack.LocalStackExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Services killed at random, as the OOM killer would (SIGKILL, and nobody tells the suite), while orders flow: the
 * {@link Supervisor} of the local run notices each death, restarts the service, and it rejoins; every order is
 * counted exactly.
 */
@ExtendWith(LocalStackExtension.class)
class SupervisedRestartIT {

    private static final Duration STEADY = Duration.ofSeconds(8);
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final Map<Long, String> CATALOGUE = Map.of(11L, "books", 21L, "games", 22L, "toys");
    private static final long CUSTOMERS = 6;
    /** One service of the chain that the totals depend on, then any service. */
    private static final List<Service> CHAIN = List.of(Service.INGEST, Service.ENRICHMENT, Service.AGGREGATION);

    private static TestSuite run;
    private static Supervisor supervisor;

    @RegisterExtension
    static final TestWatcher SERVICE_LOGS_ON_FAILURE = TestSuite.printsLogsOnFailure(() -> run);

    @BeforeAll
    static void startSuite(LocalStack stack) {
        run = TestSuite.create(stack, "supervised", settings -> settings);
        for (long id = 1; id <= CUSTOMERS; id++) {
            run.shop().insertCustomer(id, "Customer " + id, "c" + id + "@example.com", id % 2 == 0 ? "SE" : "PL", "standard",
                    Instant.now().minus(Duration.ofDays(30 + id)));
        }
        CATALOGUE.forEach((id, category) -> run.shop().insertProduct(id, "Product " + id, category, 900, Instant.now()));
        run.start();
        supervisor = Supervisor.watch(run.suite());
    }

    @AfterAll
    static void stopSuite() {
        if (supervisor != null) {
            supervisor.close();
        }
        if (run != null) {
            run.close();
        }
    }

    @Test
    void shouldRestartEveryServiceThatDiesAndCountEveryOrderExactly() {
        // Given orders placed all along, in the database and by an application
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<Service> victims = new ArrayList<>(List.of(CHAIN.get(random.nextInt(CHAIN.size()))));
        List<Service> others = new ArrayList<>(List.of(Service.values()));
        others.removeAll(victims);
        victims.add(others.get(random.nextInt(others.size())));
        System.out.printf("SupervisedRestartIT: seed %d, killing %s%n", seed, victims);
        SuiteClient client = run.client();
        ShopTraffic traffic = new ShopTraffic(run.shop(), List.of(client), client.topics(), CATALOGUE, CUSTOMERS)
                .start(Duration.ofMillis(50), Duration.ofMillis(200));
        try (traffic) {
            TestSuite.pause(STEADY);
            for (Service victim : victims) {
                // When a service is killed with SIGKILL and nobody tells the suite
                int restartsBefore = supervisor.restarts(victim);
                run.suite().crash(victim);
                // Then the supervisor restarts it, and it reports healthy again
                await().atMost(TIMEOUT).until(() -> supervisor.restarts(victim) > restartsBefore && run.allAlive());
                await().atMost(TIMEOUT).ignoreExceptions()
                        .untilAsserted(() -> assertThat(run.suite().health(victim)).contains("\"UP\""));
                TestSuite.pause(STEADY);
            }
        }

        // And every order placed before, during and after the deaths is counted exactly, nothing late or dead-lettered
        assertThat(traffic.placed()).isGreaterThan(300);
        run.assertEveryOrderCountedExactlyAndNothingLost(traffic.ledger(), TIMEOUT);
    }
}
