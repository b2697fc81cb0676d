package dev.streamfold.localstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/** PostgreSQL from Maven Central binaries, on 127.0.0.1, with logical replication for Debezium's pgoutput. */
final class PostgresServer implements AutoCloseable {

    static final String USER = "postgres";

    private final EmbeddedPostgres postgres;
    private final ManagedProcess watchdog;
    private final Path sockets;

    private PostgresServer(EmbeddedPostgres postgres, ManagedProcess watchdog, Path sockets) {
        this.postgres = postgres;
        this.watchdog = watchdog;
        this.sockets = sockets;
    }

    static PostgresServer start(Path workDir, int requestedPort) {
        try {
            Path data = Files.createDirectories(workDir.resolve("data"));
            // A Unix socket path is limited to ~107 bytes, too short for a path under the build directory.
            Path sockets = Files.createTempDirectory("pg");
            Path binaries = Files.createDirectories(workDir.resolve("binaries"));
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setOverrideWorkingDirectory(binaries.toFile())
                    .setDataDirectory(data)
                    .setCleanDataDirectory(true)
                    .setPort(Ports.orFree(requestedPort))
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("unix_socket_directories", sockets.toString())
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_replication_slots", "20")
                    .setServerConfig("max_wal_senders", "20")
                    .setServerConfig("max_connections", "200")
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start();
            return new PostgresServer(postgres, ManagedProcess.watchdog("postgres-watchdog", postgres.getProcess().pid()), sockets);
        } catch (IOException e) {
            throw new UncheckedIOException("PostgreSQL did not start", e);
        }
    }

    int port() {
        return postgres.getPort();
    }

    String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    /** A fresh database, so that each test (and each Debezium publication) has tables of its own. */
    String createDatabase(String name) {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE \"" + name + "\"");
            return jdbcUrl(name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            watchdog.disarm();
            sockets.toFile().delete();
        }
    }
}
