package dev.streamfold.suite;

import dev.streamfold.common.serde.RegistrySerdeFactory;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.localstack.ManagedProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * What Kafka Streams itself allows a service of one record out per order, exactly-once on the benchmark's broker:
 * the orders copied by a topology that does nothing else, with the bytes as they are, decoded and encoded again as
 * Avro, or left-joined on their key with the customers' versioned table (enrichment's shape: a task reading two
 * co-partitioned topics, a versioned lookup per order, task idling as enrichment ships it). Run in the benchmark's
 * JVM, warm and with its heap, beside the in-process broker, they are an upper bound for a service doing that work;
 * run in a JVM of its own ({@link #runInOwnJvm}), started cold with a service's heap, the join is what Kafka Streams
 * leaves a service like enrichment. The services' own rows are read against them.
 */
final class KafkaStreamsCeiling {

    /** Enrichment's shipped {@code enrichment.max-task-idle}, so the join task waits for its inputs as enrichment does. */
    private static final Duration ENRICHMENT_TASK_IDLE = Duration.ofSeconds(2);

    enum Shape {
        BYTES("Kafka Streams exactly-once copy, bytes"),
        AVRO("Kafka Streams exactly-once copy, Avro in/out"),
        JOIN("Kafka Streams exactly-once join, bytes");

        private final String row;

        Shape(String row) {
            this.row = row;
        }

        String row() {
            return row;
        }

        String id() {
            return name().toLowerCase();
        }
    }

    /**
     * A ceiling row's rates, the CPU seconds per second of its stream threads in steady state, and, when it ran in a JVM
     * of its own, that JVM's CPU seconds and peak RSS (NaN and 0 in the benchmark's JVM).
     */
    record Measured(PipelineBenchmark.Passthrough rates, double threadBusy, double cpuSeconds, long peakRssBytes) {

        private static final String PREFIX = "kafka-streams-ceiling:";

        Measured(PipelineBenchmark.Passthrough rates, double threadBusy) {
            this(rates, threadBusy, Double.NaN, 0);
        }

        PipelineBenchmark.Row row(String name, double appendedPerOrder) {
            return new PipelineBenchmark.Row(name, rates.rate(), rates.wholeRunRate(), cpuSeconds, peakRssBytes, threadBusy,
                    rates.machineBusy(), appendedPerOrder);
        }

        String line() {
            return PREFIX + " " + rates.rate() + " " + rates.wholeRunRate() + " " + rates.machineBusy() + " " + threadBusy
                    + " " + cpuSeconds + " " + peakRssBytes;
        }

        static Optional<Measured> parse(String line) {
            if (!line.startsWith(PREFIX)) {
                return Optional.empty();
            }
            String[] figures = line.substring(PREFIX.length()).trim().split(" ");
            return Optional.of(new Measured(new PipelineBenchmark.Passthrough(Double.parseDouble(figures[0]),
                    Double.parseDouble(figures[1]), Double.parseDouble(figures[2])), Double.parseDouble(figures[3]),
                    Double.parseDouble(figures[4]), Long.parseLong(figures[5])));
        }
    }

    private KafkaStreamsCeiling() {
    }

    /**
     * The join in a JVM of its own, started cold with the services' heap and the JVM's default collector (as
     * enrichment runs): what Kafka Streams allows enrichment's shape where the JIT and the collector work on the same
     * two cores, as they do for the service.
     */
    static Measured runInOwnJvm(Shape shape, String bootstrap, String registryUrl, String prefix, String to, int orders,
            Path workDir, String heap) throws IOException, InterruptedException {
        Path log = workDir.resolve("kafka-streams-" + shape.id() + "-jvm.log");
        List<String> command = List.of(ManagedProcess.currentJava(), heap,
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.streamfold.schemas", "-cp",
                System.getProperty("java.class.path"), KafkaStreamsCeiling.class.getName(), shape.name(), bootstrap,
                registryUrl, prefix, to, Integer.toString(orders),
                workDir.resolve("kafka-streams-" + shape.id() + "-jvm").toString());
        try (ManagedProcess process = ManagedProcess.start("kafka-streams-" + shape.id(), command, Map.of(),
                Files.createDirectories(workDir), log, Duration.ofSeconds(30))) {
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (process.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            try (var lines = Files.lines(log)) {
                return lines.map(Measured::parse).flatMap(Optional::stream).findFirst()
                        .orElseThrow(() -> new IllegalStateException("Kafka Streams " + shape.id() + " in its own JVM"
                                + " printed no figures; see " + log));
            }
        }
    }

    /** The other end of {@link #runInOwnJvm}: prints the figures of one shape run in this JVM, with its CPU and RSS. */
    public static void main(String[] args) throws InterruptedException {
        Shape shape = Shape.valueOf(args[0]);
        Topics topics = new Topics(new RegistrySerdeFactory(args[2]), args[3]);
        Measured measured = run(shape, "bench-ks-jvm-" + shape.id(), args[1], topics, args[4], Integer.parseInt(args[5]),
                Path.of(args[6]));
        double cpu = ProcessHandle.current().info().totalCpuDuration().map(d -> d.toMillis() / 1000.0).orElse(Double.NaN);
        System.out.println(new Measured(measured.rates(), measured.threadBusy(), cpu,
                PipelineBenchmark.peakRss(ProcessHandle.current().pid())).line());
        System.exit(0);
    }

    static Measured run(Shape shape, String bootstrap, Topics topics, String to, int orders, Path stateDir)
            throws InterruptedException {
        return run(shape, "bench-ks-" + shape.id(), bootstrap, topics, to, orders, stateDir);
    }

    private static Measured run(Shape shape, String applicationId, String bootstrap, Topics topics, String to, int orders,
            Path stateDir) throws InterruptedException {
        Progress progress = new Progress(orders);
        // Kafka Streams' defaults and exactly-once, not StreamsDefaults: what the services add there (dead-letter
        // handlers, accounting) acts on bad records only, and needs a service around it.
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        properties.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        properties.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        if (shape == Shape.JOIN) {
            properties.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, ENRICHMENT_TASK_IDLE.toMillis());
        }
        try (KafkaStreams streams = new KafkaStreams(topology(shape, topics, to, progress), properties)) {
            streams.start();
            return progress.await(applicationId);
        }
    }

    private static Topology topology(Shape shape, Topics topics, String to, Progress progress) {
        StreamsBuilder builder = new StreamsBuilder();
        String orders = topics.orders().name();
        switch (shape) {
            case BYTES -> builder.stream(orders, Consumed.with(Serdes.Bytes(), Serdes.ByteArray()).withName("orders-source"))
                    .peek((key, value) -> progress.processed(), Named.as("count"))
                    .to(to, Produced.with(Serdes.Bytes(), Serdes.ByteArray()).withName("copy-sink"));
            case AVRO -> builder.stream(orders, topics.orders().consumedAs("orders-source"))
                    .peek((key, value) -> progress.processed(), Named.as("count"))
                    .to(to, Produced.with(topics.orders().keySerde(), topics.orders().valueSerde()).withName("copy-sink"));
            case JOIN -> {
                Serde<byte[]> bytes = Serdes.ByteArray();
                KTable<Bytes, byte[]> customers = builder.table(topics.customers().name(),
                        Consumed.with(Serdes.Bytes(), bytes).withName("customers-source"),
                        Materialized.<Bytes, byte[]>as(Stores.persistentVersionedKeyValueStore("customer-versions",
                                Duration.ofDays(36_500))).withKeySerde(Serdes.Bytes()).withValueSerde(bytes));
                KStream<Bytes, byte[]> ordersStream = builder.stream(orders,
                        Consumed.with(Serdes.Bytes(), bytes).withName("orders-source"));
                // Left: the customers' versions are valid from their write time, after the orders' event times.
                ordersStream.leftJoin(customers, (order, customer) -> order,
                                Joined.<Bytes, byte[], byte[]>with(Serdes.Bytes(), bytes, bytes).withName("join-customers"))
                        .peek((key, value) -> progress.processed(), Named.as("count"))
                        .to(to, Produced.with(Serdes.Bytes(), bytes).withName("joined-sink"));
            }
        }
        return builder.build();
    }

    /** Counts records as the topology forwards them, and times the second half, as the other rows are timed. */
    private static final class Progress {

        private final int orders;
        private final AtomicLong processed = new AtomicLong();
        private volatile long begin;
        private volatile long warm;
        private volatile long end;

        Progress(int orders) {
            this.orders = orders;
        }

        void processed() {
            long count = processed.incrementAndGet();
            if (count == 1) {
                begin = System.nanoTime();
            }
            if (count == (long) (PipelineBenchmark.WARM_UP * orders)) {
                warm = System.nanoTime();
            }
            if (count == orders) {
                end = System.nanoTime();
            }
        }

        Measured await(String applicationId) throws InterruptedException {
            long pid = ProcessHandle.current().pid();
            long[] machineAtWarm = null;
            double threadsAtWarm = Double.NaN;
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (end == 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(applicationId + " processed only " + processed.get() + " of "
                            + orders + " orders in 10 minutes");
                }
                if (machineAtWarm == null && warm != 0) {
                    machineAtWarm = PipelineBenchmark.machineCpuTicks();
                    threadsAtWarm = PipelineBenchmark.applicationThreadCpuSeconds(pid, applicationId);
                }
                Thread.sleep(10);
            }
            double seconds = (end - warm) / 1e9;
            double threadBusy = (PipelineBenchmark.applicationThreadCpuSeconds(pid, applicationId) - threadsAtWarm) / seconds;
            return new Measured(new PipelineBenchmark.Passthrough(orders * (1 - PipelineBenchmark.WARM_UP) / seconds,
                    orders / ((end - begin) / 1e9), PipelineBenchmark.machineBusy(machineAtWarm,
                    PipelineBenchmark.machineCpuTicks())), threadBusy);
        }
    }
}
