package dev.streamfold.suite;

import dev.streamfold.common.aggregate.AggregateStream;
import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.serde.RegistrySerdeFactory;
import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.TopicSettings;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.localstack.Directories;
import dev.streamfold.localstack.LocalStack;
import dev.streamfold.localstack.LocalStackOptions;
import dev.streamfold.localstack.ManagedProcess;
import dev.streamfold.localstack.Ports;
import dev.streamfold.schemas.Customer;
import dev.streamfold.schemas.EnrichedOrder;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.OrderOperation;
import dev.streamfold.schemas.OrderSource;
import dev.streamfold.schemas.Product;
import dev.streamfold.schemas.WindowAggregate;
import dev.streamfold.schemas.WindowKey;
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
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Side by side in one run, on one local broker and registry, over the same N orders (with 50,000 customers and 500
 * products pre-loaded): the raw consume → produce passthrough of the orders (the single-hop ceiling of
 * {@code ../shared/performance.md}); the same bytes copied exactly-once, once and five times per order, with no other
 * work (the ceilings of a service that appends that many records per order, {@link #exactlyOnceCopy}); the same hop in
 * Kafka Streams with none of the services' own work ({@link KafkaStreamsCeiling}; {@code -Dbenchmark.kafka-streams=false}
 * leaves those rows out); the enrichment service's jar (exactly-once) turning them into
 * {@code orders.enriched}; the aggregation service's jar over those, exactly-once, then again with
 * {@code at_least_once}. Each service runs with its production configuration, only pointed at the benchmark's topics.
 * Prints records per second in steady state (over the second half of the input, see {@link #WARM_UP}) and over the
 * whole run, the ratio to the passthrough, CPU seconds and peak RSS per row, how busy the service's stream thread and
 * the machine were; then checks that every
 * order was enriched exactly once and that every window of the total and of every category equals what the generated
 * orders add up to. A benchmark that prints figures, not a test: the check is reported, nothing else is asserted.
 *
 * <pre>
 * ./mvnw -Pbenchmark -DskipTests verify [-Dbenchmark.orders=1000000] [-Dbenchmark.jfr=true]
 * </pre>
 * With {@code benchmark.baseline-aggregation-jar} (the jar of an earlier build), that jar runs too, exactly-once on the
 * same input, so that a change is measured before and after in one run (its output writes the same topics, after
 * the check). With {@code benchmark.baseline-aggregation-jvm-args} (space separated), the baseline row runs with those
 * JVM options (a collector named there replaces the shipped one), and with {@code benchmark.baseline-aggregation-args}
 * with those service arguments added (both with the shipped jar, unless a baseline jar is given): a setting measured
 * against the default in one run. With {@code benchmark.baseline-enrichment-jar} (an earlier build) or
 * {@code benchmark.baseline-enrichment-jvm-args}, the enrichment service runs again last, from that jar or with those
 * JVM options. {@code -Dbenchmark.at-least-once=false} leaves out the at-least-once row. With
 * {@code benchmark.jfr}, each service runs under JDK Flight Recorder ({@code settings=profile}); recordings are
 * written to {@code suite/target/benchmark/<row>.jfr}.
 */
public final class PipelineBenchmark {

    private static final String PREFIX = "bench.";
    /**
     * How long a service must have had nothing left to read before its output counts as complete: longer than the
     * aggregation's catch-up flush interval (1 s), after which the partials of the windows still open go out.
     */
    private static final Duration SETTLED = Duration.ofSeconds(3);
    /** The services' heap: with RocksDB's budget (64 MB) and the JVM's own memory, within the 512 MB a service may use. */
    private static final String SERVICE_HEAP = "-Xmx256m";
    /**
     * The collector the deployment gives the aggregation service (Helm values, compose file). The others keep the JVM's
     * choice, G1 on this machine (two cores, 24 GB); see the aggregation README for the measurements.
     */
    private static final String AGGREGATION_COLLECTOR = "-XX:+UseParallelGC";
    /**
     * The share of the input read before the rates are timed: a service starts cold, and its JIT compiler took more CPU
     * than its stream thread in a 300,000-order run (per-thread CPU from /proc: 18 s against 8 s in enrichment, on the
     * same 2 cores), while the passthrough runs in the benchmark's JVM, warm from writing the input. Steady state is
     * what a service that runs for days delivers; the whole run's rate is printed beside it.
     */
    static final double WARM_UP = 0.5;
    /** The exactly-once copies' records per order: the appends of an enrichment and of an aggregation, nothing else. */
    private static final List<Integer> EXACTLY_ONCE_COPIES = List.of(1, 5);
    /** Kafka Streams' commit interval under exactly-once, which the services keep. */
    private static final Duration COMMIT_INTERVAL = Duration.ofMillis(100);
    private static final int CUSTOMERS = 50_000;
    private static final int PRODUCTS = 500;
    private static final Duration SPAN = Duration.ofHours(2);
    private static final List<String> CATEGORIES = List.of("books", "games", "toys", "music", "garden", "kitchen", "sports",
            "office");
    private static final List<String> COUNTRIES = List.of("DE", "FR", "NL", "IT", "ES", "PL", "GB", "US");
    private static final Pattern RECORDS = Pattern.compile("^streamfold_records_total\\{([^}]*)} ([0-9.eE+-]+)$", Pattern.MULTILINE);

    private PipelineBenchmark() {
    }

    /**
     * @param appendedPerOrder records appended to the broker's logs while the row ran, per order: outputs, changelogs,
     *                         repartitions, transaction markers and offset commits (what the broker, on the same two
     *                         cores, had to write for each order)
     */
    record Row(String name, double rate, double wholeRunRate, double cpuSeconds, long peakRssBytes, double threadBusy,
            double machineBusy, double appendedPerOrder) {
    }

    public static void main(String[] args) throws Exception {
        int orders = Integer.getInteger("benchmark.orders", 1_000_000);
        boolean jfr = Boolean.getBoolean("benchmark.jfr");
        Path workDir = Path.of("target", "benchmark").toAbsolutePath();
        Directories.deleteRecursively(workDir);
        Files.createDirectories(workDir);
        try (LocalStack stack = LocalStack.start(LocalStackOptions.randomPorts(workDir.resolve("infra")))) {
            String bootstrap = stack.endpoints().bootstrapServers();
            Topics topics = new Topics(new RegistrySerdeFactory(stack.endpoints().registryUrl()), PREFIX);
            String passthroughOut = PREFIX + "passthrough";
            String warmUpOut = PREFIX + "transactions-warm-up";
            stack.createTopics(List.of(topics.customers().newTopic(TopicSettings.singleBroker()),
                    topics.products().newTopic(TopicSettings.singleBroker()), topics.orders().newTopic(TopicSettings.singleBroker()),
                    new NewTopic(passthroughOut, topics.orders().partitions(), (short) 1),
                    new NewTopic(warmUpOut, topics.orders().partitions(), (short) 1)));
            stack.createTopics(EXACTLY_ONCE_COPIES.stream()
                    .map(copies -> new NewTopic(PREFIX + "copies-" + copies, topics.orders().partitions(), (short) 1)).toList());
            Generated generated = Generated.of(orders);
            System.out.printf("Writing %,d customers, %,d products and %,d orders (%d partitions)…%n", CUSTOMERS, PRODUCTS,
                    orders, topics.orders().partitions());
            generated.write(bootstrap, topics);

            long appendedBefore = appendedToBroker(bootstrap);
            Passthrough passthrough = passthrough(bootstrap, topics.orders().name(), passthroughOut, orders);
            List<Row> rows = new ArrayList<>();
            rows.add(new Row("raw consume → produce passthrough", passthrough.rate(), passthrough.wholeRunRate(),
                    Double.NaN, 0, Double.NaN, passthrough.machineBusy(),
                    (appendedToBroker(bootstrap) - appendedBefore) / (double) orders));
            warmUpTransactions(bootstrap, topics.orders().name(), warmUpOut, orders);
            for (int copies : EXACTLY_ONCE_COPIES) {
                appendedBefore = appendedToBroker(bootstrap);
                Passthrough copy = exactlyOnceCopy(bootstrap, topics.orders().name(), PREFIX + "copies-" + copies, orders,
                        copies, COMMIT_INTERVAL, "bench-copies-" + copies);
                rows.add(new Row("raw exactly-once copy, " + copies + " record" + (copies == 1 ? "" : "s") + " per order",
                        copy.rate(), copy.wholeRunRate(), Double.NaN, 0, Double.NaN, copy.machineBusy(),
                        (appendedToBroker(bootstrap) - appendedBefore) / (double) orders));
            }
            if (Boolean.parseBoolean(System.getProperty("benchmark.kafka-streams", "true"))) {
                rows.addAll(kafkaStreamsRows(stack, topics, orders, workDir));
            }
            rows.add(runService(stack, workDir, Service.ENRICHMENT, "enrichment", "bench-enrichment", PREFIX + "orders",
                    orders, jfr, concat(arguments("benchmark.enrichment-args"),
                            "--enrichment.state-dir=" + workDir.resolve("enrichment/state"))));
            String enrichmentCheck = generated.checkEnriched(bootstrap, topics);
            List<String> configuration = arguments("benchmark.aggregation-args");
            rows.add(runService(stack, workDir, Service.AGGREGATION, "aggregation", "bench-aggregation-eos",
                    PREFIX + "orders.enriched", orders, jfr, concat(configuration,
                            "--aggregation.state-dir=" + workDir.resolve("aggregation/state"))));
            String aggregationCheck = generated.checkWindows(bootstrap, topics);
            String baseline = System.getProperty("benchmark.baseline-aggregation-jar", "").trim();
            List<String> baselineJvm = arguments("benchmark.baseline-aggregation-jvm-args");
            List<String> baselineSettings = arguments("benchmark.baseline-aggregation-args");
            List<String> baselineArguments = concat(configuration, "--aggregation.state-dir="
                    + workDir.resolve("aggregation-baseline/state"));
            baselineArguments.addAll(baselineSettings);
            if (!baseline.isEmpty() || !baselineJvm.isEmpty() || !baselineSettings.isEmpty()) {
                rows.add(runService(stack, workDir, Service.AGGREGATION,
                        baseline.isEmpty() ? Service.AGGREGATION.jar() : Path.of(baseline), baselineJvm,
                        "aggregation-baseline", "bench-aggregation-baseline", PREFIX + "orders.enriched", orders, jfr,
                        baselineArguments));
            }
            if (Boolean.parseBoolean(System.getProperty("benchmark.at-least-once", "true"))) {
                rows.add(runService(stack, workDir, Service.AGGREGATION, "aggregation-alos", "bench-aggregation-alos",
                    PREFIX + "orders.enriched", orders, jfr, concat(configuration,
                            "--aggregation.state-dir=" + workDir.resolve("aggregation-alos/state"),
                            // Writes the same output topics as the exactly-once run, whose output was checked above.
                            "--streamfold.streams.processing-guarantee=at-least-once",
                            // Exactly-once's commit interval, so that the row differs by the guarantee alone (and its
                            // offsets, which time the run, move as often as exactly-once's).
                            "--spring.kafka.streams.properties.commit.interval.ms=100")));
            }
            List<String> baselineEnrichmentJvm = arguments("benchmark.baseline-enrichment-jvm-args");
            String baselineEnrichment = System.getProperty("benchmark.baseline-enrichment-jar", "").trim();
            if (!baselineEnrichmentJvm.isEmpty() || !baselineEnrichment.isEmpty()) {
                // Last: it writes the enriched orders again, which the aggregation rows must not read twice.
                rows.add(runService(stack, workDir, Service.ENRICHMENT,
                        baselineEnrichment.isEmpty() ? Service.ENRICHMENT.jar() : Path.of(baselineEnrichment), baselineEnrichmentJvm,
                        "enrichment-baseline", "bench-enrichment-baseline", PREFIX + "orders", orders, jfr,
                        concat(arguments("benchmark.enrichment-args"),
                                "--enrichment.state-dir=" + workDir.resolve("enrichment-baseline/state"))));
            }
            print(orders, topics.orders().partitions(), rows, enrichmentCheck, aggregationCheck);
        }
    }

    /**
     * The same hop in Kafka Streams with none of the services' work ({@link KafkaStreamsCeiling}): each shape in this
     * JVM, then the join again in a JVM of its own with the services' heap.
     */
    private static List<Row> kafkaStreamsRows(LocalStack stack, Topics topics, int orders, Path workDir) throws Exception {
        String bootstrap = stack.endpoints().bootstrapServers();
        String ownJvmTopic = PREFIX + "kafka-streams-join-jvm";
        List<NewTopic> outputs = new ArrayList<>(Arrays.stream(KafkaStreamsCeiling.Shape.values())
                .map(shape -> new NewTopic(ceilingTopic(shape), topics.orders().partitions(), (short) 1)).toList());
        outputs.add(new NewTopic(ownJvmTopic, topics.orders().partitions(), (short) 1));
        stack.createTopics(outputs);
        List<Row> rows = new ArrayList<>();
        for (KafkaStreamsCeiling.Shape shape : KafkaStreamsCeiling.Shape.values()) {
            long appendedBefore = appendedToBroker(bootstrap);
            KafkaStreamsCeiling.Measured measured = KafkaStreamsCeiling.run(shape, bootstrap, topics, ceilingTopic(shape),
                    orders, workDir.resolve("kafka-streams-" + shape.id()));
            rows.add(measured.row(shape.row(), (appendedToBroker(bootstrap) - appendedBefore) / (double) orders));
        }
        long appendedBefore = appendedToBroker(bootstrap);
        KafkaStreamsCeiling.Measured ownJvm = KafkaStreamsCeiling.runInOwnJvm(KafkaStreamsCeiling.Shape.JOIN, bootstrap,
                stack.endpoints().registryUrl(), PREFIX, ownJvmTopic, orders, workDir, SERVICE_HEAP);
        rows.add(ownJvm.row(KafkaStreamsCeiling.Shape.JOIN.row() + ", own JVM",
                (appendedToBroker(bootstrap) - appendedBefore) / (double) orders));
        return rows;
    }

    private static String ceilingTopic(KafkaStreamsCeiling.Shape shape) {
        return PREFIX + "kafka-streams-" + shape.id();
    }

    /**
     * A service's configuration as it ships, or with {@code -Dbenchmark.aggregation-args} or
     * {@code -Dbenchmark.enrichment-args} (space separated, e.g. {@code --streamfold.aggregates.dimensions=category,total})
     * to measure another one.
     */
    private static List<String> arguments(String property) {
        String extra = System.getProperty(property, "").trim();
        return extra.isEmpty() ? List.of() : List.of(extra.split("\\s+"));
    }

    private static List<String> concat(List<String> first, String... more) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(more));
        return all;
    }

    private static void print(int orders, int partitions, List<Row> rows, String enrichmentCheck, String aggregationCheck) {
        double ceiling = rows.getFirst().rate();
        StringBuilder table = new StringBuilder(String.format("%n===== Streamfold benchmark: %,d orders, %d partitions, one"
                + " broker and registry, %d cores, Java %s, services " + SERVICE_HEAP + ", aggregation "
                + AGGREGATION_COLLECTOR + " =====%n", orders, partitions,
                Runtime.getRuntime().availableProcessors(), Runtime.version()));
        table.append(String.format("%-46s %12s %7s %12s %8s %9s %12s %13s %15s%n", "row", "records/s", "ratio", "whole run",
                "CPU s", "peak RSS", "stream busy", "machine busy", "appended/order"));
        for (Row row : rows) {
            table.append(String.format("%-46s %,12.0f %7.2f %,12.0f %8s %9s %12s %13s %15.2f%n", row.name(), row.rate(),
                    row.rate() / ceiling, row.wholeRunRate(),
                    Double.isNaN(row.cpuSeconds()) ? "–" : String.format("%.1f", row.cpuSeconds()),
                    row.peakRssBytes() == 0 ? "–" : (row.peakRssBytes() >> 20) + " MB",
                    Double.isNaN(row.threadBusy()) ? "–" : String.format("%.0f %%", 100 * row.threadBusy()),
                    Double.isNaN(row.machineBusy()) ? "–" : String.format("%.0f %%", 100 * row.machineBusy()),
                    row.appendedPerOrder()));
        }
        table.append(String.format("enrichment output: %s%naggregation output: %s%n", enrichmentCheck, aggregationCheck));
        System.out.println(table);
    }

    /**
     * Copies the orders once more, exactly-once ({@link #exactlyOnceCopy}, a transaction per poll), untimed. The
     * broker runs in this JVM, warm from the input and the passthrough, but its transaction paths were cold: the first
     * exactly-once row paid for their JIT. Without this, the same enrichment jar ran 1.57× faster as the last row
     * than as the first, in one run (61,410 against 39,107 orders/s steady; the aggregation's rows, later, 1.05×);
     * with it, 1.02× (56,404 against 57,640).
     */
    private static void warmUpTransactions(String bootstrap, String from, String to, int orders) {
        long begin = System.nanoTime();
        // A transaction per poll: many more commits than 100 ms transactions, for the JIT to see.
        exactlyOnceCopy(bootstrap, from, to, orders, 1, Duration.ZERO, "bench-transactions-warm-up");
        System.out.printf("Warmed the broker's transactions up: %,d orders copied exactly-once in %.1f s%n", orders,
                (System.nanoTime() - begin) / 1e9);
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            next.put(partition, new OffsetAndMetadata(records.records(partition).getLast().offset() + 1));
        }
        return next;
    }

    /**
     * The same bytes written {@code copies} times per order, exactly-once as Kafka Streams does it (a transaction with
     * the offsets every {@code commitInterval}, Kafka Streams' 100 ms for the rows, read committed), with no other work: what the broker and the clients alone allow for a
     * service that appends that many records per order. One copy is the ceiling of an exactly-once hop (enrichment
     * appends 1.09 records per order); five, of the aggregation's outputs (5.4 per order: changelogs, lifetime totals,
     * the customer dimension's live and final results).
     */
    private static Passthrough exactlyOnceCopy(String bootstrap, String from, String to, int orders, int copies,
            Duration commitInterval, String clientId) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, clientId,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                     bootstrap, ProducerConfig.TRANSACTIONAL_ID_CONFIG, clientId,
                     ProducerConfig.LINGER_MS_CONFIG, 5), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            consumer.subscribe(List.of(from));
            Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();
            long copied = 0;
            long begin = 0;
            long warm = 0;
            long[] machineAtWarm = null;
            long lastCommit = System.nanoTime();
            producer.beginTransaction();
            while (copied < orders) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    if (begin == 0) {
                        begin = System.nanoTime();
                    }
                    if (warm == 0 && copied >= WARM_UP * orders) {
                        warm = System.nanoTime();
                        machineAtWarm = machineCpuTicks();
                    }
                    for (int copy = 0; copy < copies; copy++) {
                        producer.send(new ProducerRecord<>(to, record.partition(), record.key(), record.value(),
                                record.headers()));
                    }
                    copied++;
                }
                uncommitted.putAll(nextOffsets(records));
                if (System.nanoTime() - lastCommit >= commitInterval.toNanos() || copied >= orders) {
                    if (!uncommitted.isEmpty()) {
                        producer.sendOffsetsToTransaction(uncommitted, consumer.groupMetadata());
                    }
                    producer.commitTransaction();
                    uncommitted.clear();
                    lastCommit = System.nanoTime();
                    if (copied < orders) {
                        producer.beginTransaction();
                    }
                }
            }
            long end = System.nanoTime();
            return new Passthrough(orders * (1 - WARM_UP) / ((end - warm) / 1e9), orders / ((end - begin) / 1e9),
                    machineBusy(machineAtWarm, machineCpuTicks()));
        }
    }

    /** Bytes in, the same bytes out, at-least-once with the clients' defaults: the ceiling of one hop. */
    record Passthrough(double rate, double wholeRunRate, double machineBusy) {
    }

    private static Passthrough passthrough(String bootstrap, String from, String to, int orders) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, "bench-passthrough",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                     bootstrap, ProducerConfig.LINGER_MS_CONFIG, 5), new ByteArraySerializer(), new ByteArraySerializer())) {
            consumer.subscribe(List.of(from));
            long copied = 0;
            long begin = 0;
            long warm = 0;
            long[] machineAtWarm = null;
            while (copied < orders) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (begin == 0) {
                        begin = System.nanoTime();
                    }
                    if (warm == 0 && copied >= WARM_UP * orders) {
                        warm = System.nanoTime();
                        machineAtWarm = machineCpuTicks();
                    }
                    producer.send(new ProducerRecord<>(to, record.partition(), record.key(), record.value(), record.headers()));
                    copied++;
                }
                consumer.commitAsync();
            }
            producer.flush();
            long end = System.nanoTime();
            return new Passthrough(orders * (1 - WARM_UP) / ((end - warm) / 1e9), orders / ((end - begin) / 1e9),
                    machineBusy(machineAtWarm, machineCpuTicks()));
        }
    }

    /**
     * The service's jar, as users run it, on the benchmark's topics; timed until it committed everything it read, its
     * internal topics included, and stayed so for {@link #SETTLED}: its output is complete ({@link InputProgress}). The
     * steady rate counts from the commit that passed {@link #WARM_UP} of the input, the whole run's from its first
     * commit (so start-up and restoration are never counted). Also reports how busy its own threads were in steady
     * state (CPU seconds per second: below 100 %, the stream thread waited, for the broker, for input or for a core).
     */
    private static Row runService(LocalStack stack, Path workDir, Service service, String row, String applicationId,
            String stage, int orders, boolean jfr, List<String> arguments) throws Exception {
        return runService(stack, workDir, service, service.jar(), List.of(), row, applicationId, stage, orders, jfr,
                arguments);
    }

    private static Row runService(LocalStack stack, Path workDir, Service service, Path jar, List<String> jvmOptions,
            String row, String applicationId, String stage, int orders, boolean jfr, List<String> arguments)
            throws Exception {
        int port = Ports.free();
        Path serviceDir = Files.createDirectories(workDir.resolve(row));
        List<String> command = new ArrayList<>(List.of(ManagedProcess.currentJava(), SERVICE_HEAP,
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.streamfold.schemas"));
        // The JVM refuses two collectors: a baseline that names one measures it instead of the shipped one.
        if (service == Service.AGGREGATION && jvmOptions.stream().noneMatch(option -> option.matches("-XX:\\+Use\\w*GC"))) {
            command.add(AGGREGATION_COLLECTOR);
        }
        command.addAll(jvmOptions);
        if (jfr) {
            command.add("-XX:FlightRecorderOptions=stackdepth=256");
            command.add("-XX:StartFlightRecording=filename=" + workDir.resolve(row + ".jfr") + ",settings=profile");
        }
        command.addAll(List.of("-jar", jar.toString(), "--server.address=127.0.0.1", "--server.port=" + port,
                "--spring.kafka.bootstrap-servers=" + stack.endpoints().bootstrapServers(),
                "--streamfold.registry.url=" + stack.endpoints().registryUrl(), "--streamfold.topics.prefix=" + PREFIX,
                "--streamfold.topics.replication-factor=1", "--" + service.id() + ".application-id=" + applicationId));
        command.addAll(arguments);
        long appendedBefore = appendedToBroker(stack.endpoints().bootstrapServers());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                stack.endpoints().bootstrapServers()));
             ManagedProcess process = ManagedProcess.start(row, command, Map.of(), serviceDir, workDir.resolve(row + ".log"),
                Duration.ofSeconds(60))) {
            String metrics = "http://127.0.0.1:" + port + "/actuator/prometheus";
            int partitions = admin.describeTopics(List.of(stage)).allTopicNames().get().get(stage).partitions().size();
            ProcessHandle jvm = null;
            Look first = null;
            Look warm = null;
            Look last = null;
            long lastBusy = System.nanoTime();
            while (System.nanoTime() - lastBusy < SETTLED.toNanos()) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(row + " exited; see " + workDir.resolve(row + ".log"));
                }
                if (jvm == null) {
                    jvm = ProcessHandle.of(process.pid()).flatMap(guard -> guard.descendants().findFirst()).orElse(null);
                }
                InputProgress progress = InputProgress.of(admin, applicationId, stage, partitions);
                if (first == null && progress.committed() > 0) {
                    first = Look.now(progress, jvm, applicationId);
                }
                if (warm == null && progress.committed() >= WARM_UP * progress.end()) {
                    warm = Look.now(progress, jvm, applicationId);
                }
                if (!progress.complete()) {
                    lastBusy = System.nanoTime();
                    last = Look.now(progress, jvm, applicationId);
                }
                Thread.sleep(100);
            }
            if (first == null || warm == null) {
                throw new IllegalStateException(row + " never committed what it read; see " + workDir.resolve(row + ".log"));
            }
            // Until the last moment it still had something to read (within the 100 ms between looks).
            last = last == null ? warm : last;
            long peakRss = jvm == null ? 0 : peakRss(jvm.pid());
            double cpu = jvm == null ? Double.NaN
                    : jvm.info().totalCpuDuration().map(d -> d.toMillis() / 1000.0).orElse(Double.NaN);
            // One look at the service's own counters, at the end: a look every 100 ms (a whole Prometheus scrape) took a
            // fifth of a core from the service it measured (JFR: the HTTP threads had 28 % as many samples as the stream thread).
            double handled = handled(metrics, stage);
            if (handled < orders) {
                System.out.printf("%s counted only %,.0f of %,d orders as handled%n", row, handled, orders);
            }
            String name = switch (row) {
                case "enrichment" -> "enrichment-service (exactly-once)";
                case "aggregation" -> "aggregation-service (exactly-once)";
                case "aggregation-baseline" -> "baseline aggregation (exactly-once)";
                case "enrichment-baseline" -> "baseline enrichment (exactly-once)";
                default -> "aggregation-service (at_least_once)";
            };
            double seconds = (lastBusy - warm.nanos()) / 1e9 + 0.1;
            double threadBusy = (last.applicationThreadCpu() - warm.applicationThreadCpu()) / seconds;
            return new Row(name, orders * warm.progress().remainingShare() / seconds,
                    orders * first.progress().remainingShare() / ((lastBusy - first.nanos()) / 1e9 + 0.1), cpu, peakRss,
                    threadBusy, machineBusy(warm.machineTicks(), last.machineTicks()),
                    (appendedToBroker(stack.endpoints().bootstrapServers()) - appendedBefore) / (double) orders);
        }
    }

    /** The sum of every partition's log end offset, internal topics included: records appended so far. */
    private static long appendedToBroker(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            var names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(names).allTopicNames().get().values().forEach(topic -> topic.partitions().forEach(
                    partition -> latest.put(new TopicPartition(topic.name(), partition.partition()), OffsetSpec.latest())));
            return admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all().get().values()
                    .stream().mapToLong(info -> info.offset()).sum();
        }
    }

    /** A look at a service's progress, its own threads' CPU seconds and the machine's CPU ticks. */
    private record Look(InputProgress progress, long nanos, double applicationThreadCpu, long[] machineTicks) {

        static Look now(InputProgress progress, ProcessHandle jvm, String applicationId) {
            return new Look(progress, System.nanoTime(),
                    jvm == null ? Double.NaN : applicationThreadCpuSeconds(jvm.pid(), applicationId), machineCpuTicks());
        }
    }

    /**
     * Where the application's consumer group stands on the topic it reads: committed offsets against the last stable
     * offsets. Complete once it committed everything it reads, its internal repartition topics included: its output is
     * complete. A transaction's commit marker takes the last offset of a partition and is never committed past by the
     * consumer, hence the one offset of slack. Read from the broker, so that watching costs the service nothing.
     */
    record InputProgress(long committed, long end, boolean complete) {

        static InputProgress of(Admin admin, String applicationId, String topic, int partitions) throws Exception {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(applicationId)
                    .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            offsets.keySet().forEach(partition -> latest.put(partition, OffsetSpec.latest()));
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
            long committed = 0;
            long end = 0;
            boolean complete = true;
            for (TopicPartition partition : latest.keySet()) {
                OffsetAndMetadata at = offsets.get(partition);
                long last = ends.get(partition).offset();
                complete &= at != null && at.offset() >= last - 1;
                if (partition.topic().equals(topic)) {
                    committed += at == null ? 0 : at.offset();
                    end += last;
                }
            }
            return new InputProgress(committed, end, complete);
        }

        /** The share of the topic still to be read. */
        double remainingShare() {
            return end == 0 ? 1 : 1 - (double) committed / end;
        }
    }

    /**
     * CPU seconds of the threads named after the application id (stream, state updater, global thread; Linux keeps a
     * thread's first 15 characters): how busy the processing itself was, apart from clients' network threads, JIT and GC.
     */
    static double applicationThreadCpuSeconds(long pid, String applicationId) {
        String prefix = applicationId.substring(0, Math.min(15, applicationId.length()));
        double ticks = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    if (stat.substring(open + 1, close).startsWith(prefix)) {
                        String[] fields = stat.substring(close + 2).split(" ");
                        // utime and stime: fields 14 and 15 of stat, 12 and 13 after the name.
                        ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                    }
                } catch (IOException | RuntimeException gone) {
                    // the thread ended
                }
            }
        } catch (IOException notLinux) {
            return Double.NaN;
        }
        return ticks / 100.0;
    }

    /** Busy and total jiffies of all cores (the first line of /proc/stat); null where there is none. */
    static long[] machineCpuTicks() {
        try {
            String[] fields = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < fields.length; i++) {
                total += Long.parseLong(fields[i]);
            }
            long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException notLinux) {
            return null;
        }
    }

    /** The share of all cores' time that was busy between two looks: 100 % means the machine was the limit. */
    static double machineBusy(long[] before, long[] after) {
        if (before == null || after == null || after[1] == before[1]) {
            return Double.NaN;
        }
        return (double) (after[0] - before[0]) / (after[1] - before[1]);
    }

    /** VmHWM: the most resident memory the process ever had. */
    static long peakRss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException gone) {
            // not Linux, or already gone
        }
        return 0;
    }

    /** Records the service is done with at a stage: forwarded, late, duplicate or dead-lettered, from its own counters. */
    private static double handled(String url, String stage) throws InterruptedException {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());
            double sum = 0;
            Matcher line = RECORDS.matcher(response.body());
            while (line.find()) {
                String labels = line.group(1);
                if (labels.contains("stage=\"" + stage + "\"") && !labels.contains("outcome=\"received\"")) {
                    sum += Double.parseDouble(line.group(2));
                }
            }
            return sum;
        } catch (IOException notUpYet) {
            return 0;
        }
    }

    /** The generated shop: what each customer and product is, and what every window must add up to. */
    private record Generated(int orders, String[] countryOf, String[] categoryOf, Map<String, String> windows) {

        static Generated of(int orders) {
            Random random = new Random(42);
            String[] countries = new String[CUSTOMERS + 1];
            String[] categories = new String[PRODUCTS + 1];
            for (int c = 1; c <= CUSTOMERS; c++) {
                countries[c] = COUNTRIES.get(random.nextInt(COUNTRIES.size()));
            }
            for (int p = 1; p <= PRODUCTS; p++) {
                categories[p] = CATEGORIES.get(p % CATEGORIES.size());
            }
            return new Generated(orders, countries, categories, new TreeMap<>());
        }

        /** Orders in event-time order, spread over two hours ending an hour ago, keyed by customer like every publisher. */
        void write(String bootstrap, Topics topics) {
            Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            Topic<String, Customer> customers = topics.customers();
            try (KafkaProducer<String, Customer> producer = new KafkaProducer<>(config, customers.keySerde().serializer(),
                    customers.valueSerde().serializer())) {
                for (int c = 1; c <= CUSTOMERS; c++) {
                    producer.send(new ProducerRecord<>(customers.name(), Integer.toString(c), Customer.newBuilder().setId(c)
                            .setName("Customer " + c).setEmail("c" + c + "@example.com").setCountry(countryOf[c])
                            .setTier("standard").setUpdatedAt(Instant.EPOCH).setValidFrom(Instant.EPOCH).build()));
                }
            }
            Topic<String, Product> products = topics.products();
            try (KafkaProducer<String, Product> producer = new KafkaProducer<>(config, products.keySerde().serializer(),
                    products.valueSerde().serializer())) {
                for (int p = 1; p <= PRODUCTS; p++) {
                    producer.send(new ProducerRecord<>(products.name(), Integer.toString(p), Product.newBuilder().setId(p)
                            .setName("Product " + p).setCategory(categoryOf[p]).setPriceMinor(1_000 + p)
                            .setUpdatedAt(Instant.EPOCH).setValidFrom(Instant.EPOCH).build()));
                }
            }
            Random random = new Random(4242);
            Instant start = Instant.now().minus(SPAN).minus(Duration.ofHours(1));
            long spacingNanos = SPAN.toNanos() / orders;
            Topic<String, Order> topic = topics.orders();
            try (KafkaProducer<String, Order> producer = new KafkaProducer<>(config, topic.keySerde().serializer(),
                    topic.valueSerde().serializer())) {
                for (int i = 0; i < orders; i++) {
                    long customer = 1 + random.nextInt(CUSTOMERS);
                    int product = 1 + random.nextInt(PRODUCTS);
                    int quantity = 1 + random.nextInt(3);
                    long amount = quantity * (100L + random.nextInt(10_000));
                    String currency = i % 5 == 0 ? "USD" : "EUR";
                    Instant eventTime = start.plusNanos(i * spacingNanos).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
                    producer.send(new ProducerRecord<>(topic.name(), Long.toString(customer), Order.newBuilder()
                            .setEventId("bench-" + i).setOrderId(i + 1L).setCustomerId(customer).setProductId(product)
                            .setQuantity(quantity).setAmountMinor(amount).setCurrency(currency).setStatus("PLACED")
                            .setEventTime(eventTime).setSource(OrderSource.DIRECT).setOperation(OrderOperation.INSERT)
                            .build()));
                    count(Dimension.TOTAL, Dimension.TOTAL_VALUE, eventTime, currency, amount);
                    count(Dimension.CATEGORY, categoryOf[product], eventTime, currency, amount);
                }
            }
        }

        private void count(Dimension dimension, String value, Instant eventTime, String currency, long amount) {
            long minute = Duration.ofMinutes(1).toMillis();
            Instant start = Instant.ofEpochMilli(Math.floorDiv(eventTime.toEpochMilli(), minute) * minute);
            String key = dimension.id() + "/" + value + "@" + start;
            String[] parts = windows.getOrDefault(key, "0").split(" ", 2);
            Map<String, Long> revenue = parts.length > 1 ? parse(parts[1]) : new TreeMap<>();
            revenue.merge(currency, amount, Long::sum);
            windows.put(key, (Long.parseLong(parts[0]) + 1) + " " + revenue);
        }

        private static Map<String, Long> parse(String revenue) {
            Map<String, Long> parsed = new TreeMap<>();
            String body = revenue.substring(1, revenue.length() - 1);
            for (String entry : body.split(", ")) {
                String[] pair = entry.split("=");
                parsed.put(pair[0], Long.parseLong(pair[1]));
            }
            return parsed;
        }

        /** Every order enriched exactly once, with its customer's country and its product's category. */
        String checkEnriched(String bootstrap, Topics topics) {
            Topic<String, EnrichedOrder> enriched = topics.ordersEnriched();
            Set<String> seen = new HashSet<>();
            int duplicates = 0;
            int wrong = 0;
            for (byte[] value : readAll(bootstrap, enriched.name())) {
                EnrichedOrder order = enriched.valueSerde().deserializer().deserialize(enriched.name(), value);
                if (!seen.add(order.getEventId())) {
                    duplicates++;
                }
                if (!order.getCustomerCountry().equals(countryOf[(int) order.getCustomerId()])
                        || !order.getProductCategory().equals(categoryOf[(int) order.getProductId()])) {
                    wrong++;
                }
            }
            boolean exact = seen.size() == orders && duplicates == 0 && wrong == 0;
            return String.format("%s: %,d of %,d orders enriched, %d twice, %d with a wrong attribute",
                    exact ? "EXACT" : "NOT EXACT", seen.size(), orders, duplicates, wrong);
        }

        /** Every window of the total and of every category equals what the generated orders add up to. */
        String checkWindows(String bootstrap, Topics topics) {
            Map<String, String> published = new TreeMap<>();
            for (Dimension dimension : List.of(Dimension.TOTAL, Dimension.CATEGORY)) {
                Topic<WindowKey, WindowAggregate> topic = topics.aggregates(AggregateStream.live(dimension));
                for (byte[] value : readAll(bootstrap, topic.name())) {
                    WindowAggregate window = topic.valueSerde().deserializer().deserialize(topic.name(), value);
                    published.put(dimension.id() + "/" + window.getDimensionValue() + "@" + window.getWindowStart(),
                            window.getOrderCount() + " " + new TreeMap<>(window.getRevenueMinor()));
                }
            }
            long differing = windows.entrySet().stream().filter(e -> !e.getValue().equals(published.get(e.getKey()))).count()
                    + published.keySet().stream().filter(key -> !windows.containsKey(key)).count();
            return String.format("%s: %,d windows (total and categories), %,d differ", differing == 0 ? "EXACT" : "NOT EXACT",
                    windows.size(), differing);
        }

        private static List<byte[]> readAll(String bootstrap, String topic) {
            List<byte[]> values = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                        .map(info -> new TopicPartition(topic, info.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
                while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                    records.forEach(record -> values.add(record.value()));
                }
            }
            return values;
        }
    }
}
