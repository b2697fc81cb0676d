package dev.streamfold.reconciliation;

import dev.streamfold.schemas.db.ShopDatabase;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The shop's source tables in a test database, with the DDL the schemas module ships. */
final class ShopTables {

    private final JdbcClient jdbc;

    private ShopTables(DataSource dataSource) {
        this.jdbc = JdbcClient.create(dataSource);
    }

    static ShopTables create(String jdbcUrl, String user, String password) {
        DataSource dataSource = new DriverManagerDataSource(jdbcUrl, user, password);
        // ShopDatabase runs the DDL as one script: its trigger function's body holds semicolons.
        new ShopDatabase(jdbcUrl, user, password).createSchema();
        return new ShopTables(dataSource);
    }

    void insertCustomer(long id) {
        jdbc.sql("INSERT INTO customers (id, name, email, country, tier) VALUES (?, ?, ?, 'DE', 'standard')")
                .params(id, "Customer " + id, "c" + id + "@example.com")
                .update();
    }

    void insertProduct(long id, String category) {
        jdbc.sql("INSERT INTO products (id, name, category, price) VALUES (?, ?, ?, 1000)")
                .params(id, "Product " + id, category)
                .update();
    }

    void insertOrder(long customerId, long productId, long amountMinor, String currency, Instant createdAt) {
        insertOrder(customerId, productId, amountMinor, currency, "PLACED", createdAt);
    }

    void insertOrder(long customerId, long productId, long amountMinor, String currency, String status, Instant createdAt) {
        OffsetDateTime at = OffsetDateTime.ofInstant(createdAt, ZoneOffset.UTC);
        jdbc.sql("""
                INSERT INTO orders (customer_id, product_id, quantity, amount, currency, status, created_at, updated_at)
                VALUES (?, ?, 1, ?, ?, ?, ?, ?)
                """)
                .params(customerId, productId, amountMinor, currency, status, at, at)
                .update();
    }
}
