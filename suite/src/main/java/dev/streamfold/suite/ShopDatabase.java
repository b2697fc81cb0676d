package dev.streamfold.suite;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;

/** The shop's operational database, as the application that owns it would write to it. */
final class ShopDatabase {

    private final SuiteSettings.Database database;

    ShopDatabase(SuiteSettings.Database database) {
        this.database = database;
    }

    void createSchema() {
        try (InputStream ddl = ShopDatabase.class.getResourceAsStream("/db/shop-schema.sql");
             Connection connection = connect();
             Statement statement = connection.createStatement()) {
            statement.execute(new String(ddl.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the shop schema", e);
        }
    }

    /** {@code updatedAt} is the row's business time: enrichment joins an order with the customer as of the order's time. */
    void insertCustomer(long id, String name, String email, String country, String tier, Instant updatedAt) {
        update("INSERT INTO customers (id, name, email, country, tier, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                id, name, email, country, tier, Timestamp.from(updatedAt));
    }

    void insertProduct(long id, String name, String category, long priceMinor, Instant updatedAt) {
        update("INSERT INTO products (id, name, category, price, updated_at) VALUES (?, ?, ?, ?, ?)",
                id, name, category, priceMinor, Timestamp.from(updatedAt));
    }

    void insertOrder(long customerId, long productId, int quantity, long amountMinor, String currency, Instant createdAt) {
        Timestamp at = Timestamp.from(createdAt);
        update("INSERT INTO orders (customer_id, product_id, quantity, amount, currency, status, created_at, updated_at) "
                + "VALUES (?, ?, ?, ?, ?, 'PLACED', ?, ?)", customerId, productId, quantity, amountMinor, currency, at, at);
    }

    private void update(String sql, Object... values) {
        try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                statement.setObject(i + 1, values[i]);
            }
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("failed: " + sql, e);
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
    }
}
