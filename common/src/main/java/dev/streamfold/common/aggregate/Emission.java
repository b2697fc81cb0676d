package dev.streamfold.common.aggregate;

/**
 * Live: every change of a window's figures, as soon as aggregation applied it (dashboards, queries). Final: one record
 * per window, when it closes, that is once every input partition has passed its end + grace.
 */
public enum Emission {
    LIVE(""), FINAL(".final");

    private final String topicSuffix;

    Emission(String topicSuffix) {
        this.topicSuffix = topicSuffix;
    }

    String topicSuffix() {
        return topicSuffix;
    }
}
