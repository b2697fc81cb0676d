package dev.streamfold.aggregation.category;

/**
 * What {@code window-orders} emits, on the input partition: a late order for {@code orders.late} (keyed by customer
 * id), or the pending delta of one category window for the repartition (keyed by category).
 */
sealed interface WindowingOutput permits LateOrder, WindowDelta {
}
