package dev.streamfold.aggregation.window;

/**
 * An input partition's event-time stream time, sent to every partition of the repartition topic: no partial of a
 * window closed by then (end + grace) will come from that partition any more. The final stage closes a window when
 * every input partition's progress has passed it.
 *
 * <p>{@code idle}: the partition has had no order for {@code aggregation.idle-partition-timeout} (wall clock), and the
 * final stage leaves it out of the watermark until it reports again, so that a partition without traffic does not
 * hold every final result back. An order it gets later is still applied, and amends the finals it changes.
 */
record Progress(int sourcePartition, long streamTime, boolean idle) implements MergeInput {

    Progress(int sourcePartition, long streamTime) {
        this(sourcePartition, streamTime, false);
    }
}
