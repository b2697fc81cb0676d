package dev.streamfold.enrichment.join;

import dev.streamfold.schemas.Order;

/** An order and whether it was read on the partition that owns its customer. */
record RoutedOrder(Order order, boolean onOwnerPartition) {
}
