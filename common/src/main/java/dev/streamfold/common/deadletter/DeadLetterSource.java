package dev.streamfold.common.deadletter;

import dev.streamfold.common.topic.Topic;

/** Where a failed record came from, and which service failed on it. */
public record DeadLetterSource(String service, String topic, int partition, long offset) {

    public String deadLetterTopic() {
        return Topic.deadLetterTopicName(topic);
    }
}
