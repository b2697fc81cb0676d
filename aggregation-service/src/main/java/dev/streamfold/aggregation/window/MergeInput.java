package dev.streamfold.aggregation.window;

/** What crosses the repartition from the input partitions to the final stage. */
sealed interface MergeInput extends WindowingOutput permits PartialUpdate, Progress {

    /** The input partition ({@code orders.enriched}) it comes from. */
    int sourcePartition();
}
