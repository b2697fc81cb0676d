package dev.streamfold.aggregation.category;

import java.util.Objects;

/** One category in one window: the key of a pending delta. */
record CategoryWindow(String category, long windowStart) {

    CategoryWindow {
        Objects.requireNonNull(category, "category");
    }
}
