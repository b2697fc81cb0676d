package dev.streamfold.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamfold.localstack.Endpoints;
import dev.streamfold.localstack.LocalStack;
import dev.streamfold.localstack.Ports;
import dev.streamfold.schemas.db.ShopDatabase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * One run of the five services for one test class: its own database, topic prefix, application ids and ports on the
 * shared local stack, so that test classes never see each other's records.
 */
final class TestSuite implements AutoCloseable {

    private final LocalStack stack;
    private final SuiteSettings settings;
    private final ShopDatabase shop;
    private RunningSuite suite;
    private SuiteClient client;

    private TestSuite(LocalStack stack, SuiteSettings settings, ShopDatabase shop) {
        this.stack = stack;
        this.settings = settings;
        this.shop = shop;
    }

    /** A database with the shop's schema, and settings; the services start with {@link #start()}. */
    static TestSuite create(LocalStack stack, String name, UnaryOperator<SuiteSettings> customise) {
        String run = name + UUID.randomUUID().toString().substring(0, 6);
        Endpoints endpoints = stack.endpoints();
        SuiteSettings.Database database = SuiteSettings.Database.fromJdbcUrl(stack.createDatabase(run),
                endpoints.postgresUser(), endpoints.postgresPassword());
        ShopDatabase shop = new ShopDatabase(database.jdbcUrl(), database.user(), database.password()).createSchema();
        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        for (Service service : Service.values()) {
            ports.put(service, Ports.free());
        }
        SuiteSettings settings = new SuiteSettings(endpoints.bootstrapServers(), endpoints.registryUrl(), database, run + ".",
                run, Path.of("target", "it-suites", run).toAbsolutePath(), ports, Duration.ofSeconds(2));
        return new TestSuite(stack, customise.apply(settings), shop);
    }

    void start() {
        suite = RunningSuite.start(settings);
        client = new SuiteClient(settings);
    }

    /** The test's client of this run (publishing like Java's default client); closed with the run. */
    SuiteClient client() {
        return client;
    }

    ShopDatabase shop() {
        return shop;
    }

    SuiteSettings settings() {
        return settings;
    }

    RunningSuite suite() {
        return suite;
    }

    LocalStack stack() {
        return stack;
    }

    boolean allAlive() {
        return suite != null && suite.allAlive();
    }

    /** Every dead-letter topic of this run: those of its topics and those of its services' internal topics. */
    List<String> deadLetterTopics() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers()))) {
            return admin.listTopics().names().get().stream()
                    .filter(topic -> topic.startsWith(settings.instanceName()) && topic.endsWith(".dlq"))
                    .sorted().toList();
        } catch (Exception e) {
            throw new IllegalStateException("cannot list topics", e);
        }
    }

    /**
     * What read-committed readers of this run's topics wait for: every partition whose last stable offset is behind its
     * end (an open or hanging transaction), the producers with a transaction open there, and the broker's transactions
     * that are not complete.
     */
    String openTransactions() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers()))) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (TopicDescription topic : admin.describeTopics(admin.listTopics().names().get().stream()
                    .filter(name -> name.startsWith(settings.instanceName())).toList()).allTopicNames().get().values()) {
                topic.partitions().forEach(p -> partitions.add(new TopicPartition(topic.name(), p.partition())));
            }
            Map<TopicPartition, Long> stable = endOffsets(admin, partitions, IsolationLevel.READ_COMMITTED);
            Map<TopicPartition, Long> end = endOffsets(admin, partitions, IsolationLevel.READ_UNCOMMITTED);
            List<TopicPartition> behind = partitions.stream().filter(p -> stable.get(p) < end.get(p)).toList();
            StringBuilder report = new StringBuilder();
            behind.forEach(p -> report.append(p).append(": last stable offset ").append(stable.get(p)).append(", end ")
                    .append(end.get(p)).append('\n'));
            if (!behind.isEmpty()) {
                admin.describeProducers(behind).all().get().forEach((partition, state) -> state.activeProducers().stream()
                        .filter(producer -> producer.currentTransactionStartOffset().isPresent())
                        .forEach(producer -> report.append(partition).append(": ").append(producer).append('\n')));
            }
            List<String> incomplete = admin.listTransactions().all().get().stream()
                    .filter(listing -> listing.state() != TransactionState.COMPLETE_COMMIT
                            && listing.state() != TransactionState.COMPLETE_ABORT && listing.state() != TransactionState.EMPTY)
                    .map(TransactionListing::transactionalId).toList();
            admin.describeTransactions(incomplete).all().get().forEach((id, description) -> report.append(id)
                    .append(": ").append(description).append('\n'));
            return report.isEmpty() ? "(every partition stable, no transaction open)" : report.toString();
        } catch (Exception e) {
            return "(cannot describe transactions: " + e + ")";
        }
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, List<TopicPartition> partitions,
            IsolationLevel isolation) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
        Map<TopicPartition, Long> offsets = new HashMap<>();
        admin.listOffsets(latest, new ListOffsetsOptions(isolation)).all().get()
                .forEach((partition, info) -> offsets.put(partition, info.offset()));
        return offsets;
    }

    /** For {@code @RegisterExtension}: prints the services' last log lines when a test of the class fails. */
    static TestWatcher printsLogsOnFailure(Supplier<TestSuite> run) {
        return new TestWatcher() {
            @Override
            public void testFailed(ExtensionContext context, Throwable cause) {
                TestSuite failed = run.get();
                if (failed != null && failed.suite != null) {
                    System.out.println("Service logs of the failed run:" + failed.suite.tails());
                    System.out.println("Transactions of the failed run:\n" + failed.openTransactions());
                    System.out.println("Kafka threads of the failed run:" + failed.suite.kafkaThreadStacks());
                }
            }
        };
    }

    /**
     * Waits until the aggregate topic holds exactly the ledger's totals (every order counted once, in the window of its
     * event time), failing fast if a service dies; then checks that nothing went to {@code orders.late} and that no
     * dead-letter topic of the run holds anything.
     */
    void assertEveryOrderCountedExactlyAndNothingLost(Ledger ledger, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofSeconds(2)).failFast("a service died", () -> !allAlive())
                .untilAsserted(() -> assertThat(client.latestAggregates()).isEqualTo(ledger.totals()));
        assertThat(client.readAll(client.topics().ordersLate().name())).as("late orders").isEmpty();
        for (String deadLetters : deadLetterTopics()) {
            assertThat(client.readAll(deadLetters)).as(deadLetters).isEmpty();
        }
    }

    /** Time passing while orders flow (an outage, a steady phase): what the outage tests are about. */
    static void pause(Duration duration) {
        await().pollDelay(duration).atMost(duration.plusSeconds(5)).until(() -> true);
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
        if (suite != null) {
            suite.close();
        }
    }
}
