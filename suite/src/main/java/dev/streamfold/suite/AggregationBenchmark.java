package dev.streamfold.suite;

import dev.streamfold.common.serde.RegistrySerdeFactory;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.TopicSettings;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.localstack.Directories;
import dev.streamfold.localstack.LocalStack;
import dev.streamfold.localstack.LocalStackOptions;
import dev.streamfold.localstack.ManagedProcess;
import dev.streamfold.localstack.Ports;
import dev.streamfold.schemas.EnrichedOrder;
import dev.streamfold.schemas.OrderSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Side by side in one run, on one local broker and registry: the raw consume → produce passthrough (the single-hop
 * ceiling of {@code ../shared/performance.md}) and the aggregation service's jar with its production configuration,
 * over the same {@code orders.enriched} records. Prints records per second, the ratio, and the service's CPU seconds.
 * A benchmark that prints figures, not a test: nothing is asserted.
 *
 * <pre>
 * ./mvnw -Pbenchmark -DskipTests verify -Dbenchmark.orders=1000000 [-Dbenchmark.jfr=true]
 * </pre>
 * With {@code benchmark.jfr}, the service runs under JDK Flight Recorder ({@code settings=profile}); the recording is
 * written to {@code suite/target/benchmark/aggregation.jfr} when it stops.
 */
public final class AggregationBenchmark {

    private static final String PREFIX = "bench.";
    private static final int CUSTOMERS = 50_000;
    private static final int PRODUCTS = 500;
    private static final List<String> CATEGORIES = List.of("books", "games", "toys", "music", "garden", "kitchen", "sports",
            "office");
    private static final Pattern RECORDS = Pattern.compile("^streamfold_records_total\\{([^}]*)} ([0-9.eE+-]+)$", Pattern.MULTILINE);

    private AggregationBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int orders = Integer.getInteger("benchmark.orders", 500_000);
        boolean jfr = Boolean.getBoolean("benchmark.jfr");
        Path workDir = Path.of("target", "benchmark").toAbsolutePath();
        Directories.deleteRecursively(workDir);
        Files.createDirectories(workDir);
        try (LocalStack stack = LocalStack.start(LocalStackOptions.randomPorts(workDir.resolve("infra")))) {
            String bootstrap = stack.endpoints().bootstrapServers();
            Topics topics = new Topics(new RegistrySerdeFactory(stack.endpoints().registryUrl()), PREFIX);
            Topic<String, EnrichedOrder> input = topics.ordersEnriched();
            String passthroughOut = PREFIX + "passthrough";
            stack.createTopics(List.of(input.newTopic(TopicSettings.singleBroker()),
                    new NewTopic(passthroughOut, input.partitions(), (short) 1)));
            System.out.printf("Writing %,d enriched orders to %s (%d partitions)…%n", orders, input.name(), input.partitions());
            write(bootstrap, input, orders);

            double passthrough = passthrough(bootstrap, input.name(), passthroughOut, orders);
            ServiceRun aggregation = aggregation(stack, workDir, orders, jfr);
            System.out.printf("""

                    ===== Aggregation benchmark: %,d orders, %d partitions, one broker, 2 cores =====
                    raw consume → produce passthrough   %,10.0f records/s   1.00
                    aggregation-service (exactly-once)  %,10.0f records/s   %.2f   (%.1f CPU s)
                    %n""", orders, input.partitions(), passthrough, aggregation.rate(), aggregation.rate() / passthrough,
                    aggregation.cpuSeconds());
        }
    }

    /** Orders in event-time order per customer, spread over two hours, keyed by customer like every publisher. */
    private static void write(String bootstrap, Topic<String, EnrichedOrder> topic, int orders) throws Exception {
        Random random = new Random(42);
        Instant start = Instant.now().minus(Duration.ofHours(3));
        long spacingMicros = Duration.ofHours(2).toNanos() / 1000 / orders;
        try (KafkaProducer<String, EnrichedOrder> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            for (int i = 0; i < orders; i++) {
                long customer = 1 + random.nextInt(CUSTOMERS);
                int product = 1 + random.nextInt(PRODUCTS);
                Instant eventTime = start.plusNanos(i * spacingMicros * 1000);
                EnrichedOrder order = EnrichedOrder.newBuilder().setEventId("bench-" + i).setOrderId(i + 1L)
                        .setCustomerId(customer).setProductId(product).setQuantity(1 + random.nextInt(3))
                        .setAmountMinor(100 + random.nextInt(10_000)).setCurrency(i % 5 == 0 ? "USD" : "EUR")
                        .setStatus("PLACED").setEventTime(eventTime).setSource(OrderSource.DIRECT)
                        .setCustomerCountry("DE").setCustomerTier("standard").setCustomerEmailMasked("c***@example.com")
                        .setProductName("Product " + product).setProductCategory(CATEGORIES.get(product % CATEGORIES.size()))
                        .build();
                producer.send(new ProducerRecord<>(topic.name(), Long.toString(customer), order));
            }
            producer.flush();
        }
    }

    /** Bytes in, the same bytes out, at-least-once with the clients' defaults: the ceiling of one hop. */
    private static double passthrough(String bootstrap, String from, String to, int orders) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, "bench-passthrough",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                     bootstrap, ProducerConfig.LINGER_MS_CONFIG, 5), new ByteArraySerializer(), new ByteArraySerializer())) {
            consumer.subscribe(List.of(from));
            long copied = 0;
            long begin = 0;
            while (copied < orders) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (begin == 0) {
                        begin = System.nanoTime();
                    }
                    producer.send(new ProducerRecord<>(to, record.partition(), record.key(), record.value(), record.headers()));
                    copied++;
                }
                consumer.commitAsync();
            }
            producer.flush();
            return orders / ((System.nanoTime() - begin) / 1e9);
        }
    }

    private record ServiceRun(double rate, double cpuSeconds) {
    }

    /** The service's jar, as users run it; timed from its first processed order to its last. */
    private static ServiceRun aggregation(LocalStack stack, Path workDir, int orders, boolean jfr) throws Exception {
        int port = Ports.free();
        Path serviceDir = Files.createDirectories(workDir.resolve("aggregation"));
        List<String> command = new ArrayList<>(List.of(ManagedProcess.currentJava(), "-Xmx1g",
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.streamfold.schemas"));
        if (jfr) {
            command.add("-XX:StartFlightRecording=filename=" + workDir.resolve("aggregation.jfr") + ",settings=profile");
        }
        command.addAll(List.of("-jar", Service.AGGREGATION.jar().toString(), "--server.address=127.0.0.1", "--server.port=" + port,
                "--spring.kafka.bootstrap-servers=" + stack.endpoints().bootstrapServers(),
                "--streamfold.registry.url=" + stack.endpoints().registryUrl(), "--streamfold.topics.prefix=" + PREFIX,
                "--streamfold.topics.replication-factor=1", "--aggregation.application-id=bench-aggregation",
                "--aggregation.state-dir=" + serviceDir.resolve("state"),
                // The whole two-hour backlog is read at once: nothing in it may count as late.
                "--streamfold.windows.grace=PT3H"));
        try (ManagedProcess service = ManagedProcess.start("aggregation-service", command, Map.of(), serviceDir,
                workDir.resolve("aggregation-service.log"), Duration.ofSeconds(60))) {
            String metrics = "http://127.0.0.1:" + port + "/actuator/prometheus";
            double first = -1;
            long begin = 0;
            double done = 0;
            while (done < orders) {
                if (!service.isAlive()) {
                    throw new IllegalStateException("aggregation-service exited; see " + workDir.resolve("aggregation-service.log"));
                }
                done = handled(metrics);
                if (first < 0 && done > 0) {
                    first = done;
                    begin = System.nanoTime();
                }
                Thread.sleep(100);
            }
            double seconds = (System.nanoTime() - begin) / 1e9;
            double cpu = ProcessHandle.of(service.pid()).flatMap(guard -> guard.descendants().findFirst())
                    .flatMap(jvm -> jvm.info().totalCpuDuration()).map(d -> d.toMillis() / 1000.0).orElse(Double.NaN);
            return new ServiceRun((orders - first) / seconds, cpu);
        }
    }

    /** Orders the service is done with: forwarded, late, duplicate or dead-lettered, read from its own counters. */
    private static double handled(String url) throws InterruptedException {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());
            double sum = 0;
            Matcher line = RECORDS.matcher(response.body());
            while (line.find()) {
                String labels = line.group(1);
                if (labels.contains("stage=\"" + PREFIX + "orders.enriched\"") && !labels.contains("outcome=\"received\"")) {
                    sum += Double.parseDouble(line.group(2));
                }
            }
            return sum;
        } catch (IOException notUpYet) {
            return 0;
        }
    }
}
