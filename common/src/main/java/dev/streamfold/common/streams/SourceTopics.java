package dev.streamfold.common.streams;

import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.TopologyDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topics a topology reads that other services write (and create): a service creates only the topics it writes,
 * and a Kafka Streams client must not start before its sources exist. A missing source kills a global store's thread
 * (and so the whole client) for good, and makes stream threads fail on every rebalance until it appears.
 */
final class SourceTopics {

    private static final Logger log = LoggerFactory.getLogger(SourceTopics.class);
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final String REPARTITION_SUFFIX = "-repartition";

    private final Set<String> topics;
    private final Properties adminSettings;

    SourceTopics(TopologyDescription topology, Properties clientSettings) {
        this.topics = sourcesOf(topology);
        this.adminSettings = new Properties();
        Set<String> adminConfigs = AdminClientConfig.configNames();
        clientSettings.forEach((key, value) -> {
            if (adminConfigs.contains(String.valueOf(key))) {
                adminSettings.put(key, value);
            }
        });
    }

    /** Source topics of the sub-topologies and of the global stores, without the topology's own repartition topics. */
    static Set<String> sourcesOf(TopologyDescription topology) {
        Set<String> sources = new TreeSet<>();
        topology.subtopologies().forEach(subtopology -> subtopology.nodes().stream()
                .filter(node -> node instanceof TopologyDescription.Source)
                .map(node -> ((TopologyDescription.Source) node).topicSet())
                .filter(set -> set != null)
                .forEach(sources::addAll));
        topology.globalStores().forEach(store -> sources.addAll(store.source().topicSet()));
        return sources.stream().filter(topic -> !topic.endsWith(REPARTITION_SUFFIX)).collect(Collectors.toCollection(TreeSet::new));
    }

    Set<String> names() {
        return topics;
    }

    /** Returns once every source topic exists; false if interrupted first. */
    boolean awaitAll() {
        boolean logged = false;
        try (Admin admin = Admin.create(adminSettings)) {
            while (!Thread.currentThread().isInterrupted()) {
                Set<String> missing = missing(admin);
                if (missing.isEmpty()) {
                    return true;
                }
                if (!logged) {
                    log.info("Waiting for topics {} (created by the services that write them) before starting", missing);
                    logged = true;
                }
                Thread.sleep(POLL);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    private Set<String> missing(Admin admin) throws InterruptedException {
        try {
            Set<String> existing = admin.listTopics().names().get(POLL.toMillis() * 5, TimeUnit.MILLISECONDS);
            return topics.stream().filter(topic -> !existing.contains(topic)).collect(Collectors.toCollection(TreeSet::new));
        } catch (ExecutionException | TimeoutException e) {
            log.warn("Cannot list topics yet: {}", e.getMessage());
            return Set.of("(cannot list topics yet)");
        }
    }
}
