package dev.streamfold.reconciliation;

import dev.streamfold.common.order.RevenueRule;
import dev.streamfold.schemas.OrderOperation;
import dev.streamfold.schemas.db.ShopDatabase;
import dev.streamfold.schemas.db.ShopDatabase.HistoricOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shop's source tables in a test database (the DDL the schemas module ships), written as the shop would write
 * them: customers in several countries, a catalogue of priced products in categories, years of history, busy windows
 * with orders in three currencies, quantities above one, cancellations, corrections and deletes, products and customers
 * that change after their orders. Beside the database it keeps a ledger of every order's current state, so that the
 * totals a window must add up to (what the aggregation would publish) are known without asking SQL.
 */
final class ShopTables {

    private static final String[] CURRENCIES = {"EUR", "EUR", "EUR", "USD", "GBP"};
    private static final String[] COUNTRIES = {"DE", "DE", "FR", "US", "GB"};
    private static final String[] CATEGORIES = {"books", "games", "garden", "toys", "tools"};

    private final ShopDatabase database;
    private final Duration window;
    private final AtomicLong ids = new AtomicLong();
    private final List<Long> customers = new ArrayList<>();
    private final Map<Long, Long> prices = new HashMap<>();
    private final List<Long> products = new ArrayList<>();
    private final Map<Long, OrderRow> orders = new ConcurrentHashMap<>();

    private ShopTables(ShopDatabase database, Duration window) {
        this.database = database;
        this.window = window;
    }

    /** An empty shop, its tables created; {@code window} is the aggregation's window size. */
    static ShopTables create(String jdbcUrl, String user, String password, Duration window) {
        return new ShopTables(new ShopDatabase(jdbcUrl, user, password).createSchema(), window);
    }

    /** A catalogue of products in every category and a base of customers, as the shop had them before the test. */
    synchronized ShopTables stock(int customerCount, int productCount, Random random) {
        for (int i = 0; i < customerCount; i++) {
            customer(COUNTRIES[random.nextInt(COUNTRIES.length)]);
        }
        for (int i = 0; i < productCount; i++) {
            product(CATEGORIES[i % CATEGORIES.length], 199 + random.nextInt(9_800));
        }
        return this;
    }

    synchronized long customer(String country) {
        long id = ids.incrementAndGet();
        database.insertCustomer(id, "Customer " + id, "c" + id + "@example.com", country, "standard", Instant.EPOCH);
        customers.add(id);
        return id;
    }

    synchronized long product(String category, long priceMinor) {
        long id = ids.incrementAndGet();
        database.insertProduct(id, "Product " + id, category, priceMinor, Instant.EPOCH);
        products.add(id);
        prices.put(id, priceMinor);
        return id;
    }

    /** An order placed at {@code placedAt} (its event time) and not changed since. */
    long placeOrder(long customer, long product, int quantity, long amountMinor, String currency, Instant placedAt) {
        long id = database.insertOrder(customer, product, quantity, amountMinor, currency, placedAt);
        orders.put(id, new OrderRow(quantity, amountMinor, currency, "PLACED", placedAt));
        return id;
    }

    /**
     * Orders placed over {@code span} before {@code before}, written in one batch as a database that existed long
     * before the suite holds them: delivered, or cancelled, within a day of being placed.
     */
    void history(Instant before, Duration span, int count, Random random) {
        List<HistoricOrder> rows = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Instant placed = before.minusMillis(1 + (long) (random.nextDouble() * span.toMillis()));
            long product = randomProduct(random);
            int quantity = 1 + random.nextInt(3);
            String status = random.nextInt(10) == 0 ? "CANCELLED" : "DELIVERED";
            rows.add(new HistoricOrder(randomCustomer(random), product, quantity, prices.get(product) * quantity,
                    CURRENCIES[random.nextInt(CURRENCIES.length)], status, placed, placed.plus(Duration.ofHours(1 + random.nextInt(24)))));
        }
        List<Long> placedIds = database.insertOrders(rows);
        for (int i = 0; i < rows.size(); i++) {
            HistoricOrder row = rows.get(i);
            orders.put(placedIds.get(i), new OrderRow(row.quantity(), row.amount(), row.currency(), row.status(), row.createdAt()));
        }
    }

    /**
     * A busy window: {@code count} orders placed in {@code [windowStart, windowStart + size)}, the first at its very
     * start and the last one millisecond before its end, by random customers, of random products (amount = price x
     * quantity, 1 to 3 items), in random currencies; then what happens to orders: some paid and shipped, some cancelled,
     * some corrected (quantity and amount), a few deleted. Returns the ids of the orders placed, deleted ones included.
     */
    List<Long> trade(Instant windowStart, int count, Random random) {
        List<Long> placed = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Instant at = i == 0 ? windowStart
                    : i == count - 1 ? windowStart.plus(window).minusMillis(1)
                    : windowStart.plusMillis(random.nextLong(window.toMillis()));
            long product = randomProduct(random);
            int quantity = 1 + random.nextInt(3);
            placed.add(placeOrder(randomCustomer(random), product, quantity, prices.get(product) * quantity,
                    CURRENCIES[random.nextInt(CURRENCIES.length)], at));
        }
        for (long order : placed) {
            switch (random.nextInt(20)) {
                case 0, 1 -> cancel(order);
                case 2, 3 -> correct(order, orders.get(order).quantity() + 1, orders.get(order).amountMinor() + 150);
                case 4 -> delete(order);
                case 5, 6, 7 -> updateStatus(order, "SHIPPED");
                default -> { }
            }
        }
        return placed;
    }

    void updateStatus(long order, String status) {
        database.updateOrderStatus(order, status);
        orders.computeIfPresent(order, (id, row) -> row.withStatus(status));
    }

    void cancel(long order) {
        updateStatus(order, "CANCELLED");
    }

    void correct(long order, int quantity, long amountMinor) {
        database.correctOrder(order, quantity, amountMinor);
        orders.computeIfPresent(order, (id, row) -> row.corrected(quantity, amountMinor));
    }

    void delete(long order) {
        database.deleteOrder(order);
        orders.remove(order);
    }

    /** The product is now in another category; its past orders were placed while it was in the old one. */
    void moveProduct(long product, String category) {
        database.updateProductCategory(product, category);
    }

    void moveCustomer(long customer, String country) {
        database.updateCustomerCountry(customer, country);
    }

    /** What the orders of the window starting at {@code windowStart} add up to now, by the shared revenue rule. */
    WindowTotal totalIn(Instant windowStart) {
        long count = 0;
        long quantity = 0;
        Map<String, Long> revenue = new HashMap<>();
        for (OrderRow order : orders.values()) {
            if (windowOf(order.placedAt()).equals(windowStart) && RevenueRule.counts(OrderOperation.UPDATE, order.status())) {
                count++;
                quantity += order.quantity();
                revenue.merge(order.currency(), order.amountMinor(), Long::sum);
            }
        }
        return new WindowTotal(count, quantity, Map.copyOf(revenue));
    }

    /** The current state of one order, as the ledger has it. */
    OrderRow order(long id) {
        return orders.get(id);
    }

    private Instant windowOf(Instant placedAt) {
        long size = window.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(placedAt.toEpochMilli(), size) * size);
    }

    private synchronized long randomCustomer(Random random) {
        return customers.get(random.nextInt(customers.size()));
    }

    private synchronized long randomProduct(Random random) {
        return products.get(random.nextInt(products.size()));
    }

    /** Order count, summed quantity and revenue per currency (minor units) of one window. */
    record WindowTotal(long orderCount, long quantity, Map<String, Long> revenueMinor) {

        /** The same window without one order. */
        WindowTotal without(OrderRow order) {
            Map<String, Long> revenue = new HashMap<>(revenueMinor);
            revenue.merge(order.currency(), -order.amountMinor(), Long::sum);
            return new WindowTotal(orderCount - 1, quantity - order.quantity(), Map.copyOf(revenue));
        }
    }

    record OrderRow(int quantity, long amountMinor, String currency, String status, Instant placedAt) {

        OrderRow withStatus(String newStatus) {
            return new OrderRow(quantity, amountMinor, currency, newStatus, placedAt);
        }

        OrderRow corrected(int newQuantity, long newAmountMinor) {
            return new OrderRow(newQuantity, newAmountMinor, currency, status, placedAt);
        }
    }
}
