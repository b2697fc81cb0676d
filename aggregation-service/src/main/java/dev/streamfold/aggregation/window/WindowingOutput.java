package dev.streamfold.aggregation.window;

/**
 * What {@code window-orders} emits, on the input partition: a late order for {@code orders.late} (keyed by customer
 * id), a customer's new lifetime totals (keyed by customer id), the figures of a window complete on this partition
 * (a customer's), or, for the repartition to the final stage, a window's
 * partial or the partition's progress.
 */
sealed interface WindowingOutput permits LateOrder, LifetimeUpdate, Emitted, MergeInput {
}
