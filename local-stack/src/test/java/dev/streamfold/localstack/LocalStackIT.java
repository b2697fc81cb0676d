package dev.streamfold.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.jayway.jsonpath.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LocalStackExtension.class)
class LocalStackIT {

    @Test
    void shouldCommitTransactionsOnTheBroker(LocalStack stack) throws Exception {
        // Given a topic on the local broker
        String bootstrap = stack.endpoints().bootstrapServers();
        String topic = "tx-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        // When a transactional producer commits one record and aborts another
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-" + topic),
                new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "committed"));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "aborted"));
            producer.abortTransaction();
        }
        // Then a read_committed consumer sees only the committed one
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "g-" + topic,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            List<String> values = new java.util.ArrayList<>();
            long deadline = System.currentTimeMillis() + 20_000;
            while (values.isEmpty() && System.currentTimeMillis() < deadline) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
                records.forEach(r -> values.add(r.value()));
            }
            assertThat(values).containsExactly("committed");
        }
    }

    @Test
    void shouldRunPostgresWithLogicalReplication(LocalStack stack) throws Exception {
        // Given a fresh database
        String url = stack.createDatabase("wal_" + UUID.randomUUID().toString().substring(0, 8));
        // When asked for its WAL level
        try (Connection connection = DriverManager.getConnection(url, stack.endpoints().postgresUser(), "");
             ResultSet result = connection.createStatement().executeQuery("SHOW wal_level")) {
            result.next();
            // Then it is ready for Debezium's pgoutput
            assertThat(result.getString(1)).isEqualTo("logical");
        }
    }

    @Test
    void shouldServeTheRegistryWithBackwardCompatibility(LocalStack stack) throws Exception {
        // When the Confluent-compatible API is asked for the global compatibility level
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(stack.endpoints().registryCcompatUrl() + "/config")).build(),
                HttpResponse.BodyHandlers.ofString());
        // Then it is BACKWARD, not the registry's default NONE
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("BACKWARD");
    }

    @Test
    void shouldKeepSchemaIdsAcrossARegistryRestart(LocalStack stack) throws Exception {
        // Given a schema registered under a subject of its own
        String ccompat = stack.endpoints().registryCcompatUrl();
        String name = "Restart" + UUID.randomUUID().toString().replace("-", "");
        String schema = "{\"type\":\"record\",\"name\":\"" + name + "\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}";
        String subject = name + "-value";
        HttpResponse<String> registered = register(ccompat, subject, schema);
        assertThat(registered.statusCode()).isEqualTo(200);
        int id = JsonPath.read(registered.body(), "$.id");
        try {
            // When the registry is stopped and started again
            stack.stopRegistry();
            stack.startRegistry();

            // Then the id still resolves to that schema
            HttpResponse<String> byId = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(ccompat + "/schemas/ids/" + id)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(byId.statusCode()).isEqualTo(200);
            assertThat((String) JsonPath.read(byId.body(), "$.schema")).isEqualTo(schema);
            // and registering the same schema again, as a serializer does, gives the same id
            HttpResponse<String> again = register(ccompat, subject, schema);
            assertThat((int) JsonPath.read(again.body(), "$.id")).isEqualTo(id);
        } finally {
            stack.startRegistry(); // the other tests of this JVM share the stack: leave the registry running
        }
    }

    private static HttpResponse<String> register(String ccompat, String subject, String schema) throws Exception {
        String body = "{\"schema\":\"" + schema.replace("\"", "\\\"") + "\"}";
        return HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(ccompat + "/subjects/" + subject + "/versions"))
                        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldLeaveNoProcessBehindWhenClosed() {
        // Given a second, private stack with its child processes running
        List<ProcessHandle> existing = ProcessHandle.current().descendants().toList();
        LocalStack stack = LocalStack.start(LocalStackOptions.randomPorts(Path.of("target", "local-stack", "close-" + UUID.randomUUID().toString().substring(0, 8))));
        List<ProcessHandle> stackProcesses;
        try {
            stackProcesses = ProcessHandle.current().descendants()
                    .filter(p -> !existing.contains(p))
                    .toList();
            assertThat(stackProcesses).as("registry and postgres processes of the private stack").hasSizeGreaterThanOrEqualTo(2);
        } finally {
            // When it is closed
            stack.close();
        }
        // Then none of the processes it started is alive
        await().atMost(Duration.ofSeconds(30)).until(() -> stackProcesses.stream().noneMatch(ProcessHandle::isAlive));
    }
}
