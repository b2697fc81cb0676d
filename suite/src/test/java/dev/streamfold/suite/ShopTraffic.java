package dev.streamfold.suite;

import dev.streamfold.common.topic.Topic;
import dev.streamfold.common.topic.Topics;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.OrderSource;
import dev.streamfold.schemas.db.ShopDatabase;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Orders placed while a test runs, on time, the way a shop places them: in the database (captured by ingest) and
 * published straight to Kafka by an application, some of those twice (a retrying publisher). Every order that must
 * count goes into the {@link Ledger}. Stops by itself when closed; any failure is rethrown by {@link #close()}.
 */
final class ShopTraffic implements AutoCloseable {

    private static final String[] CURRENCIES = {"EUR", "EUR", "USD", "GBP"};

    private final ShopDatabase shop;
    private final List<SuiteClient> publishers;
    private final Topic<String, Order> orders;
    private final Map<Long, String> categoriesByProduct;
    private final long customers;
    private final Ledger ledger = new Ledger();
    private final Random random = new Random(42);
    private final AtomicLong published = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "shop-traffic");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param publishers the applications publishing orders, taking turns (e.g. one partitioning like Java's client, one
     *                   like librdkafka's)
     * @param topics     one set of serdes for the whole run: their schema caches outlive a registry outage, as a real
     *                   client's
     */
    ShopTraffic(ShopDatabase shop, List<SuiteClient> publishers, Topics topics, Map<Long, String> categoriesByProduct,
            long customers) {
        this.shop = shop;
        this.publishers = List.copyOf(publishers);
        this.orders = topics.orders();
        this.categoriesByProduct = Map.copyOf(categoriesByProduct);
        this.customers = customers;
    }

    ShopTraffic start(Duration directEvery, Duration databaseEvery) {
        scheduler.scheduleAtFixedRate(guarded(this::publishDirectly), 0, directEvery.toMillis(), TimeUnit.MILLISECONDS);
        scheduler.scheduleAtFixedRate(guarded(this::insertIntoDatabase), 0, databaseEvery.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    Ledger ledger() {
        return ledger;
    }

    long placed() {
        return ledger.orderCount();
    }

    private void publishDirectly() {
        long customer = 1 + random.nextLong(customers);
        long product = product();
        long n = published.incrementAndGet();
        Order order = Order.newBuilder().setEventId("app-" + n).setOrderId(1_000_000 + n).setCustomerId(customer)
                .setProductId(product).setQuantity(1 + random.nextInt(3)).setAmountMinor(100 + random.nextInt(10_000))
                .setCurrency(CURRENCIES[random.nextInt(CURRENCIES.length)]).setStatus("PLACED")
                .setEventTime(Instant.now().truncatedTo(ChronoUnit.MILLIS)).setSource(OrderSource.DIRECT).build();
        SuiteClient publisher = publishers.get((int) (n % publishers.size()));
        publisher.publish(orders, order);
        ledger.counted(order, categoriesByProduct.get(product));
        if (n % 10 == 0) {
            publisher.publish(orders, order); // a publisher's retry: the same event again, counted once
        }
    }

    private void insertIntoDatabase() {
        long customer = 1 + random.nextLong(customers);
        long product = product();
        int quantity = 1 + random.nextInt(3);
        long amount = 100 + random.nextInt(10_000);
        String currency = CURRENCIES[random.nextInt(CURRENCIES.length)];
        Instant placed = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        shop.insertOrder(customer, product, quantity, amount, currency, placed);
        ledger.counted(Order.newBuilder().setEventId("db").setOrderId(1).setCustomerId(customer).setProductId(product)
                .setQuantity(quantity).setAmountMinor(amount).setCurrency(currency).setStatus("PLACED").setEventTime(placed)
                .setSource(OrderSource.DATABASE).build(), categoriesByProduct.get(product));
    }

    private long product() {
        Long[] products = categoriesByProduct.keySet().toArray(Long[]::new);
        java.util.Arrays.sort(products);
        return products[random.nextInt(products.length)];
    }

    private Runnable guarded(Runnable action) {
        return () -> {
            if (failure.get() != null) {
                return;
            }
            try {
                synchronized (this) {
                    action.run();
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        };
    }

    @Override
    public void close() {
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("shop traffic did not stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("placing orders failed", failure.get());
        }
    }
}
