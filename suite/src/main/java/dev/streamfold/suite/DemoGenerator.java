package dev.streamfold.suite;

import dev.streamfold.schemas.db.ShopDatabase;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Seeds a small catalogue and keeps placing orders in the database, so the local run has live data. */
final class DemoGenerator implements AutoCloseable {

    static final List<String> CATEGORIES = List.of("books", "games", "garden", "kitchen", "music");
    private static final Logger log = LoggerFactory.getLogger(DemoGenerator.class);
    private static final int CUSTOMERS = 50;
    private static final int PRODUCTS_PER_CATEGORY = 4;
    private static final String[] COUNTRIES = {"DE", "FR", "NL", "PL", "SE"};
    private static final String[] TIERS = {"standard", "gold"};

    private final ShopDatabase shop;
    private final long pauseMillis;
    private final AtomicLong placed = new AtomicLong();
    private volatile boolean running = true;
    private Thread thread;

    DemoGenerator(ShopDatabase shop, int ordersPerSecond) {
        this.shop = shop;
        this.pauseMillis = 1000L / ordersPerSecond;
    }

    void seedCatalogue() {
        Instant now = Instant.now();
        for (long id = 1; id <= CUSTOMERS; id++) {
            shop.insertCustomer(id, "Customer " + id, "customer" + id + "@example.com", COUNTRIES[(int) (id % COUNTRIES.length)],
                    TIERS[(int) (id % TIERS.length)], now);
        }
        long productId = 1;
        for (String category : CATEGORIES) {
            for (int i = 0; i < PRODUCTS_PER_CATEGORY; i++) {
                shop.insertProduct(productId, category + " item " + (i + 1), category, 500 + 250L * i, now);
                productId++;
            }
        }
    }

    void start() {
        thread = Thread.ofPlatform().name("demo-generator").daemon().start(this::placeOrders);
    }

    private void placeOrders() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (running) {
            long customer = random.nextLong(1, CUSTOMERS + 1);
            long product = random.nextLong(1, (long) CATEGORIES.size() * PRODUCTS_PER_CATEGORY + 1);
            int quantity = random.nextInt(1, 4);
            long price = 500 + 250L * ((product - 1) % PRODUCTS_PER_CATEGORY);
            try {
                shop.insertOrder(customer, product, quantity, price * quantity, "EUR", Instant.now());
                if (placed.incrementAndGet() % 100 == 0) {
                    log.info("{} orders placed", placed.get());
                }
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (running) {
                    log.warn("Could not place an order: {}", e.getMessage());
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
