package dev.streamfold.schemas.db;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The shop's operational database, written to as the shop application would: creates the tables of
 * {@code db/shop-schema.sql} and places rows in them. Used by tests and by the local demo run; needs a
 * PostgreSQL JDBC driver on the classpath.
 */
public final class ShopDatabase {

    private final String jdbcUrl;
    private final String user;
    private final String password;

    public ShopDatabase(String jdbcUrl, String user, String password) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
    }

    /** Creates the shop's tables (idempotent). */
    public ShopDatabase createSchema() {
        try (InputStream ddl = ShopDatabase.class.getResourceAsStream("/db/shop-schema.sql")) {
            execute(new String(ddl.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public String host() {
        return URI.create(jdbcUrl.substring("jdbc:".length())).getHost();
    }

    public int port() {
        return URI.create(jdbcUrl.substring("jdbc:".length())).getPort();
    }

    public String user() {
        return user;
    }

    public void insertCustomer(long id, String name, String email, String country, String tier, Instant updatedAt) {
        update("INSERT INTO customers (id, name, email, country, tier, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                id, name, email, country, tier, timestamp(updatedAt));
    }

    public void updateCustomerTier(long id, String tier, Instant updatedAt) {
        update("UPDATE customers SET tier = ?, updated_at = ? WHERE id = ?", tier, timestamp(updatedAt), id);
    }

    public void deleteCustomer(long id) {
        update("DELETE FROM customers WHERE id = ?", id);
    }

    public void insertProduct(long id, String name, String category, long price, Instant updatedAt) {
        update("INSERT INTO products (id, name, category, price, updated_at) VALUES (?, ?, ?, ?, ?)",
                id, name, category, price, timestamp(updatedAt));
    }

    /** {@code createdAt} is the order's event time; returns the id PostgreSQL gave the order. */
    public long insertOrder(long customerId, long productId, int quantity, long amount, String currency, Instant createdAt) {
        String sql = "INSERT INTO orders (customer_id, product_id, quantity, amount, currency, status, created_at, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, 'PLACED', ?, ?) RETURNING id";
        try (Connection connection = connect(); PreparedStatement statement = prepare(connection, sql,
                customerId, productId, quantity, amount, currency, timestamp(createdAt), timestamp(createdAt));
             ResultSet result = statement.executeQuery()) {
            result.next();
            return result.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public void updateOrderStatus(long id, String status) {
        update("UPDATE orders SET status = ?, updated_at = now() WHERE id = ?", status, id);
    }

    private void update(String sql, Object... parameters) {
        try (Connection connection = connect(); PreparedStatement statement = prepare(connection, sql, parameters)) {
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void execute(String sql) {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PreparedStatement prepare(Connection connection, String sql, Object... parameters) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < parameters.length; i++) {
            statement.setObject(i + 1, parameters[i]);
        }
        return statement;
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, user, password);
    }

    private static OffsetDateTime timestamp(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
