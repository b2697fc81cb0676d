package dev.streamfold.common.aggregate;

/** Tumbling windows (every dimension; the ones reconciliation proves) or hopping windows (the dimensions configured). */
public enum WindowKind {
    TUMBLING(""), HOPPING(".hopping");

    private final String topicSuffix;

    WindowKind(String topicSuffix) {
        this.topicSuffix = topicSuffix;
    }

    String topicSuffix() {
        return topicSuffix;
    }
}
