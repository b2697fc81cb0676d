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
import java.util.ArrayList;
import java.util.List;

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
        return insertOrder(customerId, productId, quantity, amount, currency, "PLACED", createdAt, createdAt);
    }

    /**
     * An order as history left it: placed at {@code createdAt}, last changed at {@code updatedAt} (e.g. a correction or
     * cancellation long before the pipeline started). Returns the id PostgreSQL gave the order.
     */
    public long insertOrder(long customerId, long productId, int quantity, long amount, String currency, String status,
            Instant createdAt, Instant updatedAt) {
        String sql = "INSERT INTO orders (customer_id, product_id, quantity, amount, currency, status, created_at, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
        try (Connection connection = connect(); PreparedStatement statement = prepare(connection, sql,
                customerId, productId, quantity, amount, currency, status, timestamp(createdAt), timestamp(updatedAt));
             ResultSet result = statement.executeQuery()) {
            result.next();
            return result.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An order row as history left it, for {@link #insertOrders}. */
    public record HistoricOrder(long customerId, long productId, int quantity, long amount, String currency, String status,
            Instant createdAt, Instant updatedAt) {
    }

    /** Many orders at once (one batch, one transaction), in the given order; returns their ids in that order. */
    public List<Long> insertOrders(List<HistoricOrder> orders) {
        String sql = "INSERT INTO orders (customer_id, product_id, quantity, amount, currency, status, created_at, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
        try (Connection connection = connect();
             PreparedStatement statement = connection.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
            connection.setAutoCommit(false);
            for (HistoricOrder order : orders) {
                bind(statement, order.customerId(), order.productId(), order.quantity(), order.amount(), order.currency(),
                        order.status(), timestamp(order.createdAt()), timestamp(order.updatedAt()));
                statement.addBatch();
            }
            statement.executeBatch();
            List<Long> ids = new ArrayList<>(orders.size());
            try (ResultSet keys = statement.getGeneratedKeys()) {
                while (keys.next()) {
                    ids.add(keys.getLong(1));
                }
            }
            connection.commit();
            return ids;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The order's current version as ingest publishes it: updated_at in microseconds since the epoch. */
    public long orderVersion(long id) {
        try (Connection connection = connect();
             PreparedStatement statement = prepare(connection,
                     "SELECT (extract(epoch FROM updated_at) * 1000000)::bigint FROM orders WHERE id = ?", id);
             ResultSet result = statement.executeQuery()) {
            if (!result.next()) {
                throw new IllegalArgumentException("no order " + id);
            }
            return result.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The schema's trigger moves updated_at (the order's version) forward. */
    public void updateOrderStatus(long id, String status) {
        update("UPDATE orders SET status = ? WHERE id = ?", status, id);
    }

    public void cancelOrder(long id) {
        updateOrderStatus(id, "CANCELLED");
    }

    /** A correction of quantity and amount. */
    public void correctOrder(long id, int quantity, long amount) {
        update("UPDATE orders SET quantity = ?, amount = ? WHERE id = ?", quantity, amount, id);
    }

    public void deleteOrder(long id) {
        update("DELETE FROM orders WHERE id = ?", id);
    }

    public void updateCustomerCountry(long id, String country) {
        update("UPDATE customers SET country = ?, updated_at = now() WHERE id = ?", country, id);
    }

    public void updateProductCategory(long id, String category) {
        update("UPDATE products SET category = ?, updated_at = now() WHERE id = ?", category, id);
    }

    public void deleteProduct(long id) {
        update("DELETE FROM products WHERE id = ?", id);
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
        bind(statement, parameters);
        return statement;
    }

    private static void bind(PreparedStatement statement, Object... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            statement.setObject(i + 1, parameters[i]);
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, user, password);
    }

    private static OffsetDateTime timestamp(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
