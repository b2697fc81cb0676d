package dev.streamfold.suite;

import dev.streamfold.common.topic.Topic;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.OrderOperation;
import dev.streamfold.schemas.OrderSource;
import dev.streamfold.schemas.db.ShopDatabase;
import dev.streamfold.schemas.db.ShopDatabase.HistoricOrder;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A busy shop while services are being killed: every tick, a batch of orders inserted in the database and a batch
 * published straight to Kafka (event times up to two seconds in the past, out of order; one in ten published twice,
 * as a retrying client would), and changes of recent orders while their window is still open: cancellations,
 * corrections and deletes in the database, cancellations and corrections of direct orders (a new version each; some
 * published twice, some overtaken by a newer version). One direct order in 500 is placed three minutes in the past:
 * late, it must go to {@code orders.late} and count nowhere.
 *
 * <p>The test knows the truth without asking the pipeline: database orders from SQL at the end, direct orders from
 * {@link #directOrders()} (the latest version of each), late ones from {@link #lateEventIds()}.
 */
final class ChaosTraffic implements AutoCloseable {

    private static final String[] CURRENCIES = {"EUR", "EUR", "EUR", "USD", "GBP"};
    private static final Duration TICK = Duration.ofMillis(100);
    /** A change is made only while its order's window stays open (end + grace) at least this much longer. */
    private static final Duration CHANGE_MARGIN = Duration.ofMillis(1_500);

    private final ShopDatabase shop;
    private final SuiteClient publisher;
    private final Topic<String, Order> orders;
    private final long customers;
    private final long products;
    private final Duration window;
    private final Duration grace;
    private final int perTick;
    private final Random random = new Random(7);
    private final Map<Long, Order> direct = new HashMap<>();
    private final Set<String> lateEventIds = ConcurrentHashMap.newKeySet();
    private final Deque<Recent> recent = new ArrayDeque<>();
    private final Set<Long> excludedCustomers = ConcurrentHashMap.newKeySet();
    private final Set<Long> excludedProducts = ConcurrentHashMap.newKeySet();
    private final AtomicLong placed = new AtomicLong();
    private final AtomicLong changed = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "chaos-traffic");
        thread.setDaemon(true);
        return thread;
    });
    private long directSequence;

    private record Recent(OrderSource source, long orderId, Instant eventTime) {
    }

    /** @param perTick orders placed per tick of 100 ms, half in the database and half directly */
    ChaosTraffic(ShopDatabase shop, SuiteClient publisher, long customers, long products, Duration window, Duration grace,
            int perTick) {
        this.shop = shop;
        this.publisher = publisher;
        this.orders = publisher.topics().orders();
        this.customers = customers;
        this.products = products;
        this.window = window;
        this.grace = grace;
        this.perTick = perTick;
    }

    ChaosTraffic start() {
        scheduler.scheduleWithFixedDelay(this::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    long placed() {
        return placed.get();
    }

    long changed() {
        return changed.get();
    }

    /** No order of these is placed while they are left out (their attributes change meanwhile). */
    void leaveOut(Set<Long> customerIds, Set<Long> productIds) {
        excludedCustomers.addAll(customerIds);
        excludedProducts.addAll(productIds);
    }

    void takeBack() {
        excludedCustomers.clear();
        excludedProducts.clear();
    }

    /** The latest version of every direct order that is not late, by order id. */
    synchronized Map<Long, Order> directOrders() {
        return Map.copyOf(direct);
    }

    Set<String> lateEventIds() {
        return Set.copyOf(lateEventIds);
    }

    private void tick() {
        if (failure.get() != null) {
            return;
        }
        try {
            synchronized (this) {
                Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
                insertIntoDatabase(now);
                publishDirectly(now);
                changeRecentOrders(now);
            }
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
        }
    }

    private void insertIntoDatabase(Instant now) {
        List<HistoricOrder> batch = new ArrayList<>();
        for (int i = 0; i < perTick / 2; i++) {
            int quantity = 1 + random.nextInt(3);
            batch.add(new HistoricOrder(customer(), product(), quantity, quantity * (100L + random.nextInt(9_900)),
                    currency(), "PLACED", now, now));
        }
        for (long id : shop.insertOrders(batch)) {
            recent.addLast(new Recent(OrderSource.DATABASE, id, now));
        }
        placed.addAndGet(batch.size());
    }

    private void publishDirectly(Instant now) {
        List<Order> batch = new ArrayList<>();
        for (int i = 0; i < perTick / 2; i++) {
            long n = ++directSequence;
            boolean late = n % 500 == 0;
            Instant eventTime = late ? now.minus(Duration.ofMinutes(3)) : now.minusMillis(random.nextInt(2_000));
            int quantity = 1 + random.nextInt(3);
            Order order = Order.newBuilder().setEventId("chaos-app-" + n).setOrderId(n).setCustomerId(customer())
                    .setProductId(product()).setQuantity(quantity).setAmountMinor(quantity * (100L + random.nextInt(9_900)))
                    .setCurrency(currency()).setStatus("PLACED").setEventTime(eventTime).setSource(OrderSource.DIRECT)
                    .setOperation(OrderOperation.INSERT).setVersion(1).setChangedAt(eventTime).build();
            batch.add(order);
            if (late) {
                lateEventIds.add(order.getEventId());
            } else {
                direct.put(n, order);
                recent.addLast(new Recent(OrderSource.DIRECT, n, eventTime));
            }
            if (n % 10 == 0) {
                batch.add(order); // a retrying publisher: the same event again
            }
        }
        publisher.publishAll(orders, batch);
        placed.addAndGet(perTick / 2);
    }

    /** About one order in twelve is changed, while its window is still open well beyond the change. */
    private void changeRecentOrders(Instant now) {
        List<Order> directChanges = new ArrayList<>();
        int changes = Math.max(1, perTick / 12);
        for (int i = 0; i < changes && !recent.isEmpty(); i++) {
            Recent order = recent.pollFirst();
            if (!stillOpen(order.eventTime(), now)) {
                i--;
                continue;
            }
            if (random.nextInt(3) == 0) {
                recent.addLast(order); // not changed yet; it may be later
                continue;
            }
            if (order.source() == OrderSource.DATABASE) {
                changeInDatabase(order.orderId());
            } else {
                directChanges.addAll(changeDirectly(order.orderId(), now));
            }
            changed.incrementAndGet();
        }
        if (!directChanges.isEmpty()) {
            publisher.publishAll(orders, directChanges);
        }
    }

    private boolean stillOpen(Instant eventTime, Instant now) {
        long start = Math.floorDiv(eventTime.toEpochMilli(), window.toMillis()) * window.toMillis();
        Instant closes = Instant.ofEpochMilli(start).plus(window).plus(grace);
        return now.plus(CHANGE_MARGIN).isBefore(closes);
    }

    private void changeInDatabase(long id) {
        switch (random.nextInt(3)) {
            case 0 -> shop.cancelOrder(id);
            case 1 -> shop.correctOrder(id, 1 + random.nextInt(5), 50L + random.nextInt(20_000));
            default -> shop.deleteOrder(id);
        }
    }

    /** The new version, sometimes twice, sometimes overtaken by a newer one published first. */
    private List<Order> changeDirectly(long id, Instant now) {
        Order current = direct.get(id);
        Order next = revise(current, now);
        List<Order> published = new ArrayList<>(List.of(next));
        switch (random.nextInt(4)) {
            case 0 -> published.add(next); // re-delivered
            case 1 -> {
                Order newer = revise(next, now);
                published = List.of(newer, next); // the older version arrives after the newer one: stale, ignored
                next = newer;
            }
            default -> {
            }
        }
        direct.put(id, next);
        return published;
    }

    private Order revise(Order order, Instant now) {
        long version = order.getVersion() + 1;
        Order.Builder revised = Order.newBuilder(order).setVersion(version).setOperation(OrderOperation.UPDATE)
                .setEventId("chaos-app-" + order.getOrderId() + "-v" + version).setChangedAt(now);
        if (random.nextBoolean()) {
            revised.setStatus("CANCELLED");
        } else {
            int quantity = 1 + random.nextInt(5);
            revised.setStatus("PLACED").setQuantity(quantity).setAmountMinor(quantity * (100L + random.nextInt(9_900)));
        }
        return revised.build();
    }

    private long customer() {
        long id;
        do {
            id = 1 + random.nextLong(customers);
        } while (excludedCustomers.contains(id));
        return id;
    }

    private long product() {
        long id;
        do {
            id = 1 + random.nextLong(products);
        } while (excludedProducts.contains(id));
        return id;
    }

    private String currency() {
        return CURRENCIES[random.nextInt(CURRENCIES.length)];
    }

    @Override
    public void close() {
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("chaos traffic did not stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("placing orders failed", failure.get());
        }
    }
}
