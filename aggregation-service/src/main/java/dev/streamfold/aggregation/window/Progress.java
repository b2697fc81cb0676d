package dev.streamfold.aggregation.window;

/**
 * An input partition's event-time stream time, sent to every partition of the repartition topic: no partial of a
 * window closed by then (end + grace) will come from that partition any more. The final stage closes a window when
 * every input partition's progress has passed it.
 */
record Progress(int sourcePartition, long streamTime) implements MergeInput {
}
