package dev.streamfold.ingest.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamfold.localstack.LocalStack;
import dev.streamfold.localstack.LocalStackExtension;
import dev.streamfold.schemas.db.ShopDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The replication slot's guardrails on a real PostgreSQL: the heartbeat keeps it moving while only tables outside the
 * capture change, its retained WAL and the age of the last change are metrics, it is released when the capture stops,
 * and a slot that is gone stops the capture for good instead of letting a new slot skip changes silently.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@ExtendWith(LocalStackExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicationSlotIT {

    private static final String RUN = "slot_it_" + UUID.randomUUID().toString().substring(0, 8);
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final Duration HEARTBEAT = Duration.ofSeconds(1);

    private static String jdbcUrl;
    private static ShopDatabase shop;

    @LocalServerPort
    private int port;

    @Autowired
    private ChangeCaptureEngine engine;

    @Autowired
    private CaptureHealthIndicator health;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        LocalStack stack = LocalStack.shared();
        jdbcUrl = stack.createDatabase(RUN);
        shop = new ShopDatabase(jdbcUrl, stack.endpoints().postgresUser(), "").createSchema();
        shop.insertCustomer(1, "Ada", "ada@example.com", "DE", "gold", Instant.parse("2024-05-01T10:00:00Z"));
        // A table of the same database that nobody captures: an application's audit log.
        sql("CREATE TABLE audit_log (id bigserial PRIMARY KEY, happened_at timestamptz NOT NULL, detail text NOT NULL)");
        CaptureTestProperties.register(registry, stack, shop, RUN);
        registry.add("ingest.heartbeat-interval", HEARTBEAT::toString);
        registry.add("ingest.slot-check-interval", () -> "1s");
    }

    @Test
    @Order(1)
    void shouldMoveTheSlotOnWhileOnlyTablesOutsideTheCaptureChange() {
        // Given a capture that streams, and has nothing of the shop's tables to read
        await().atMost(TIMEOUT).until(() -> health.health().getStatus().getCode().equals("UP"));
        // When another application writes a megabyte or more of WAL to a table nobody captures
        for (int batch = 0; batch < 20; batch++) {
            sql("INSERT INTO audit_log (happened_at, detail) SELECT now(), repeat('x', 500) FROM generate_series(1, 100)");
        }
        long writtenUpTo = lsn("SELECT pg_current_wal_lsn()");
        // Then the slot's confirmed position passes those writes: the WAL they fill is not kept for the capture
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(lsn(
                "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '" + RUN + "'"))
                .isGreaterThanOrEqualTo(writtenUpTo));
    }

    @Test
    @Order(2)
    void shouldShowTheSlotsRetainedWalAndTheAgeOfTheLastChangeAsMetrics() {
        // When Prometheus scrapes the service while the capture runs on heartbeats alone
        await().atMost(TIMEOUT).untilAsserted(() -> {
            String metrics = get("/actuator/prometheus").body();
            // Then the slot's retained WAL is measured, and the last change (a heartbeat) is recent
            assertThat(value(metrics, "streamfold_capture_slot_lag_bytes\\{[^}]*slot=\"" + RUN + "\"[^}]*\\}"))
                    .isBetween(0.0, 64.0 * 1024 * 1024);
            assertThat(value(metrics, "streamfold_capture_last_change_age_seconds(?:\\{[^}]*\\})?"))
                    .isLessThan(HEARTBEAT.multipliedBy(10).toSeconds());
            assertThat(metrics).contains("streamfold_capture_restarts_total");
        });
    }

    @Test
    @Order(3)
    void shouldReleaseTheSlotOnStopAndFailForGoodWhenTheSlotIsGone() throws Exception {
        // When the capture stops
        engine.stop();
        // Then its slot is released (no longer active), so an operator can inspect or drop it
        await().atMost(TIMEOUT).until(() -> "false".equals(text(
                "SELECT active::text FROM pg_replication_slots WHERE slot_name = '" + RUN + "'")));

        // When the slot is dropped behind its back and the capture starts again
        sql("SELECT pg_drop_replication_slot('" + RUN + "')");
        engine.start();

        // Then it does not start: its health says the slot is gone and what to do, and liveness fails
        await().atMost(TIMEOUT).untilAsserted(() -> {
            HttpResponse<String> capture = get("/actuator/health/liveness");
            assertThat(capture.statusCode()).isEqualTo(503);
        });
        assertThat(health.health().getDetails().get("state")).isEqualTo("FAILED_FOR_GOOD");
        assertThat(health.health().getDetails().get("error").toString())
                .contains("replication slot " + RUN + " does not exist", "position to resume from");
        // ...and it creates no new slot that would skip what changed meanwhile
        shop.insertCustomer(2, "Grace", "grace@example.com", "US", "silver", Instant.now());
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> text(
                "SELECT count(*)::text FROM pg_replication_slots WHERE slot_name = '" + RUN + "'").equals("0"));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static double value(String prometheus, String series) {
        Matcher matcher = Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(prometheus);
        assertThat(matcher.find()).as("series %s in%n%s", series, prometheus).isTrue();
        return Double.parseDouble(matcher.group(1));
    }

    private static long lsn(String query) {
        return Long.parseLong(text("SELECT (" + query + ") - '0/0'::pg_lsn"), 10);
    }

    private static String text(String query) {
        return new ShopSql(jdbcUrl, shop.user()).text(query);
    }

    private static void sql(String statement) {
        new ShopSql(jdbcUrl, shop.user()).execute(statement);
    }
}
