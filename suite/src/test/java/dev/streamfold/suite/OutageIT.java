package dev.streamfold.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamfold.localstack.LocalStack;
import dev.streamfold.localstack.LocalStackExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Outages are not lateness: while orders keep flowing, enrichment (stopped) and then aggregation (killed) are each
 * down for six times the grace period, then start again and catch up their backlogs. Every order that was on time at its source must
 * be counted exactly; none may be dead-lettered or called late.
 */
@ExtendWith(LocalStackExtension.class)
class OutageIT {

    private static final Duration GRACE = Duration.ofSeconds(5);
    private static final Duration OUTAGE = GRACE.multipliedBy(6);
    private static final Duration STEADY = Duration.ofSeconds(8);
    /** The ledger's window: outages are placed so that one of these ends, and closes, while a service is down. */
    private static final Duration WINDOW = Duration.ofMinutes(1);
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final Map<Long, String> CATALOGUE = Map.of(11L, "books", 12L, "books", 21L, "games", 22L, "toys");
    private static final long CUSTOMERS = 8;

    private static TestSuite run;
    private static SuiteClient client;

    @RegisterExtension
    static final TestWatcher SERVICE_LOGS_ON_FAILURE = TestSuite.printsLogsOnFailure(() -> run);

    @BeforeAll
    static void startSuite(LocalStack stack) {
        run = TestSuite.create(stack, "outage", settings -> settings.withArguments(Service.AGGREGATION,
                "--streamfold.windows.grace=" + GRACE));
        for (long id = 1; id <= CUSTOMERS; id++) {
            run.shop().insertCustomer(id, "Customer " + id, "c" + id + "@example.com", id % 2 == 0 ? "DE" : "FR", "standard",
                    Instant.now().minus(Duration.ofDays(id)));
        }
        CATALOGUE.forEach((id, category) -> run.shop().insertProduct(id, "Product " + id, category, 1000, Instant.now()));
        run.start();
        client = run.client();
    }

    @AfterAll
    static void stopSuite() {
        if (run != null) {
            run.close();
        }
    }

    @Test
    void shouldCountEveryOnTimeOrderExactlyAfterEnrichmentStoppedAndAggregationCrashedForSixTimesTheGrace() {
        // Given orders placed all along, in the database and by two applications, one partitioning like librdkafka
        SuiteClient otherLanguage = new SuiteClient(run.settings(),
                Map.of(ProducerConfig.PARTITIONER_CLASS_CONFIG, Crc32Partitioner.class.getName()));
        ShopTraffic traffic = new ShopTraffic(run.shop(), List.of(client, otherLanguage), client.topics(), CATALOGUE, CUSTOMERS)
                .start(Duration.ofMillis(40), Duration.ofMillis(200));
        try (otherLanguage; traffic) {
            TestSuite.pause(STEADY);
            // When enrichment is down for six times the grace, over a window's end and its grace, then comes back
            pauseUntilAWindowEndsEarlyInTheOutage();
            run.suite().stop(Service.ENRICHMENT);
            TestSuite.pause(OUTAGE);
            run.suite().start(Service.ENRICHMENT);
            TestSuite.pause(STEADY);
            // And then aggregation crashes (SIGKILL: no commit, an open transaction), is down as long, and comes back
            pauseUntilAWindowEndsEarlyInTheOutage();
            run.suite().kill(Service.AGGREGATION);
            TestSuite.pause(OUTAGE);
            run.suite().start(Service.AGGREGATION);
            TestSuite.pause(STEADY);
        }

        // Then every order is counted exactly, in the window of its event time
        assertThat(traffic.placed()).isGreaterThan(1_000);
        // ...and nothing was late or dead-lettered
        run.assertEveryOrderCountedExactlyAndNothingLost(traffic.ledger(), TIMEOUT);
    }

    /**
     * Waits until the current window ends a grace period or more after now, and at least the outage's first half plus
     * a grace before the service is back: the window then closes, at its source, while the service is down, and its
     * last orders meet the backlog's later ones when the service catches up. Left to chance, most runs would miss it.
     */
    private static void pauseUntilAWindowEndsEarlyInTheOutage() {
        Duration earliest = GRACE;
        Duration latest = OUTAGE.dividedBy(2).minus(GRACE);
        Instant now = Instant.now();
        long windowMs = WINDOW.toMillis();
        Instant windowEnd = Instant.ofEpochMilli((now.toEpochMilli() / windowMs + 1) * windowMs);
        Instant start = windowEnd.minus(latest);
        if (start.isBefore(now)) {
            start = Duration.between(now, windowEnd).compareTo(earliest) >= 0 ? now : start.plus(WINDOW);
        }
        if (start.isAfter(now)) {
            TestSuite.pause(Duration.between(now, start));
        }
    }
}
