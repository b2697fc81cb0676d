package dev.streamfold.ingest.capture;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Plain SQL on the test's database, as an operator or another application would run it. */
final class ShopSql {

    private final String jdbcUrl;
    private final String user;

    ShopSql(String jdbcUrl, String user) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
    }

    void execute(String statement) {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, user, "");
             Statement sql = connection.createStatement()) {
            sql.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first column of the first row as text, or null if there is no row. */
    String text(String query) {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, user, "");
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(query)) {
            return row.next() ? String.valueOf(row.getObject(1)) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
