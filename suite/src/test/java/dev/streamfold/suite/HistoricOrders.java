package dev.streamfold.suite;

import dev.streamfold.schemas.db.ShopDatabase.HistoricOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;

/**
 * Orders as two years of trading left them in a shop's table: most placed and untouched, some shipped, corrected
 * (the amount as it stands after the correction) or cancelled, days after they were placed.
 */
final class HistoricOrders {

    private HistoricOrders() {
    }

    static HistoricOrder draw(Random random, int customers, int products, List<String> currencies, Instant placed) {
        long customer = 1 + random.nextInt(customers);
        long product = 1 + random.nextInt(products);
        int quantity = 1 + random.nextInt(4);
        long amount = quantity * (500L + random.nextInt(20_000));
        String currency = currencies.get(random.nextInt(currencies.size()));
        int fate = random.nextInt(100);
        Instant later = placed.plus(Duration.ofMinutes(1 + random.nextInt(3 * 24 * 60)));
        if (fate < 4) {
            return new HistoricOrder(customer, product, quantity, amount, currency, "CANCELLED", placed, later);
        }
        if (fate < 8) {
            return new HistoricOrder(customer, product, quantity + 1, amount + 250, currency, "PLACED", placed, later);
        }
        if (fate < 30) {
            return new HistoricOrder(customer, product, quantity, amount, currency, "SHIPPED", placed, later);
        }
        return new HistoricOrder(customer, product, quantity, amount, currency, "PLACED", placed, placed);
    }
}
