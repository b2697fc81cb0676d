package dev.streamfold.ingest.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamfold.common.serde.RegistrySerdeFactory;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.localstack.LocalStack;
import dev.streamfold.localstack.LocalStackExtension;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.db.ShopDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * PostgreSQL restarted under a streaming capture (every connection cut, the replication connection too): the capture
 * reconnects by itself once the database is back, and every order placed before and after the restart arrives; none
 * is skipped.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@ExtendWith(LocalStackExtension.class)
class PostgresRestartIT {

    private static final String RUN = "pg_restart_it_" + UUID.randomUUID().toString().substring(0, 8);
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final Instant LISTED = Instant.parse("2025-02-01T09:00:00Z");

    private static ShopDatabase shop;

    @Autowired
    private CaptureHealthIndicator health;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        LocalStack stack = LocalStack.shared();
        shop = new ShopDatabase(stack.createDatabase(RUN), stack.endpoints().postgresUser(), "").createSchema();
        shop.insertCustomer(1, "Ada", "ada@example.com", "DE", "gold", LISTED);
        shop.insertProduct(10, "Kettle", "kitchen", 2_500, LISTED);
        CaptureTestProperties.register(registry, stack, shop, RUN);
    }

    @Test
    void shouldResumeCaptureByItselfAfterPostgresRestartsAndSkipNoOrder() {
        // Given a capture that streams, and orders placed while it does
        await().atMost(TIMEOUT).until(() -> isUp());
        Set<Long> placed = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            placed.add(shop.insertOrder(1, 10, 1, 2_500, "EUR", Instant.now()));
        }

        // When PostgreSQL restarts (fast shutdown: the capture's replication connection is cut), and orders go on
        LocalStack.shared().restartPostgres();
        for (int i = 0; i < 20; i++) {
            placed.add(shop.insertOrder(1, 10, 2, 5_000, "EUR", Instant.now()));
        }

        // Then the capture reconnects by itself (Debezium restarts its task after the retriable connection error) and
        // every order placed before and after the restart is in the orders topic (a re-read one may be twice)
        Topics topics = new Topics(new RegistrySerdeFactory(LocalStack.shared().endpoints().registryUrl()), RUN + ".");
        try (TopicReader<String, Order> orders = TopicReader.of(LocalStack.shared().endpoints().bootstrapServers(),
                topics.orders())) {
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(orders.poll().stream()
                    .map(record -> record.value().getOrderId()).collect(Collectors.toSet())).containsAll(placed));
        }
        // ...and it streams on, reported UP
        await().atMost(TIMEOUT).until(this::isUp);
    }

    private boolean isUp() {
        return "UP".equals(health.health().getStatus().getCode());
    }
}
