package dev.streamfold.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamfold.localstack.LocalStack;
import dev.streamfold.localstack.LocalStackExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * A registry outage is a fault of the moment, not of the records: while orders flow, the registry is down for longer
 * than a commit interval, and meanwhile another publisher sends orders written with a newer (compatible) version of the
 * order schema, whose id no service has seen: they cannot be read until the registry is back. Nothing may be
 * dead-lettered, and once the registry is back every order counts exactly.
 */
@ExtendWith(LocalStackExtension.class)
class RegistryOutageIT {

    private static final Duration OUTAGE = Duration.ofSeconds(20);
    private static final Duration STEADY = Duration.ofSeconds(6);
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final Map<Long, String> CATALOGUE = Map.of(11L, "books", 21L, "games");
    private static final long CUSTOMERS = 5;

    private static TestSuite run;
    private static SuiteClient client;

    @RegisterExtension
    static final TestWatcher SERVICE_LOGS_ON_FAILURE = TestSuite.printsLogsOnFailure(() -> run);

    @BeforeAll
    static void startSuite(LocalStack stack) {
        run = TestSuite.create(stack, "registry", settings -> settings);
        for (long id = 1; id <= CUSTOMERS; id++) {
            run.shop().insertCustomer(id, "Customer " + id, "c" + id + "@example.com", "DE", "standard", Instant.now());
        }
        CATALOGUE.forEach((id, category) -> run.shop().insertProduct(id, "Product " + id, category, 1000, Instant.now()));
        run.start();
        client = run.client();
    }

    @AfterAll
    static void stopSuite() {
        if (run != null) {
            // Other test classes share the stack: never leave its registry stopped
            run.stack().startRegistry();
            run.close();
        }
    }

    @Test
    void shouldDeadLetterNothingAndCountEveryOrderWhenTheRegistryComesBack() {
        // Given orders placed all along
        ShopTraffic traffic = new ShopTraffic(run.shop(), List.of(client), client.topics(), CATALOGUE, CUSTOMERS)
                .start(Duration.ofMillis(50), Duration.ofMillis(250));
        EvolvedOrders evolved = new EvolvedOrders(client, run.settings(), traffic.ledger(), CATALOGUE);
        try (traffic) {
            await().atMost(TIMEOUT).until(() -> !client.latestAggregates().isEmpty());
            TestSuite.pause(STEADY);
            // When the registry goes down, and orders of a schema version new to the services arrive meanwhile
            run.stack().stopRegistry();
            for (int i = 0; i < 20; i++) {
                evolved.publish(1 + i % CUSTOMERS, i % 2 == 0 ? 11 : 21);
            }
            TestSuite.pause(OUTAGE);
            // Then they wait (nothing can read them), while orders of the known schema version are still counted
            assertThat(client.latestAggregates()).isNotEqualTo(traffic.ledger().totals());
            // When the registry comes back
            run.stack().startRegistry();
            TestSuite.pause(STEADY);
        }

        // Then every order is counted exactly, and not one record was dead-lettered
        await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(2)).failFast("a service died", () -> !run.allAlive())
                .untilAsserted(() -> assertThat(client.latestAggregates()).isEqualTo(traffic.ledger().totals()));
        for (String deadLetters : run.deadLetterTopics()) {
            assertThat(client.readAll(deadLetters)).as(deadLetters).isEmpty();
        }
    }
}
