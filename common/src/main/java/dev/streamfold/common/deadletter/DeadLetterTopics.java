package dev.streamfold.common.deadletter;

import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.TopicSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;

/**
 * The dead-letter topics a Kafka Streams application can write to, derived from its topology so that none is
 * forgotten: one for every topic it reads (records that cannot be read or processed, including those read back from
 * its own repartition topics) and one for every topic it writes (outputs of punctuators the broker refuses).
 * Created at start-up, before the first record needs one.
 */
public final class DeadLetterTopics {

    private static final String REPARTITION_SUFFIX = "-repartition";

    private DeadLetterTopics() {
    }

    public static List<NewTopic> of(Topology topology, String applicationId, TopicSettings settings) {
        List<NewTopic> topics = new ArrayList<>();
        for (String topic : topicsOf(topology, applicationId)) {
            topics.add(Topic.newDeadLetterTopic(topic, settings));
        }
        return topics;
    }

    /** Every topic the topology reads or writes, by its name on the broker; dead-letter topics themselves excluded. */
    static Set<String> topicsOf(Topology topology, String applicationId) {
        Set<String> names = new TreeSet<>();
        TopologyDescription description = topology.describe();
        for (TopologyDescription.Subtopology subtopology : description.subtopologies()) {
            subtopology.nodes().forEach(node -> addTopicsOf(node, names));
        }
        for (TopologyDescription.GlobalStore store : description.globalStores()) {
            names.addAll(store.source().topicSet());
        }
        names.removeIf(name -> name.endsWith(Topic.DEAD_LETTER_SUFFIX));
        Set<String> onBroker = new TreeSet<>();
        // The description names repartition topics without the application id that prefixes them on the broker.
        names.forEach(name -> onBroker.add(name.endsWith(REPARTITION_SUFFIX) ? applicationId + "-" + name : name));
        return onBroker;
    }

    private static void addTopicsOf(TopologyDescription.Node node, Set<String> names) {
        if (node instanceof TopologyDescription.Source source && source.topicSet() != null) {
            names.addAll(source.topicSet());
        } else if (node instanceof TopologyDescription.Sink sink && sink.topic() != null) {
            names.add(sink.topic());
        }
    }
}
