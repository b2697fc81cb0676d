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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** PostgreSQL from Maven Central binaries, on 127.0.0.1, with logical replication for Debezium's pgoutput. */
final class PostgresServer implements AutoCloseable {

    static final String USER = "postgres";

    private final EmbeddedPostgres postgres;
    private final Path data;
    private final Path sockets;
    private ManagedProcess watchdog;
    /** The postmaster started by {@link #restart()}, which the embedded library does not know of; null before. */
    private Process restarted;

    private PostgresServer(EmbeddedPostgres postgres, Path data, ManagedProcess watchdog, Path sockets) {
        this.postgres = postgres;
        this.data = data;
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
// The postmaster itself, by the PID it wrote: the embedded library's process handle is pg_ctl's, long gone.
            return new PostgresServer(postgres, data, ManagedProcess.watchdog("postgres-watchdog", postmasterPid(data)), sockets);
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

    /**
     * Restarts the server as an operator or a failover would: a fast shutdown (SIGINT: every client, replication
     * connections included, is disconnected; nothing committed is lost), then a start with the same command line
     * (recorded by the server in {@code postmaster.opts}), so the same port, settings and data. Returns once it
     * accepts connections again.
     */
    synchronized void restart() {
        try {
            List<String> commandLine = new ArrayList<>();
            if ("root".equals(System.getProperty("user.name"))) {
                // As the embedded library does: PostgreSQL refuses root, so it runs as nobody in a user namespace.
                commandLine.addAll(List.of("unshare", "-U"));
            }
            commandLine.addAll(commandLine(Files.readString(data.resolve("postmaster.opts"))));
            ProcessHandle postmaster = ProcessHandle.of(postmasterPid())
                    .orElseThrow(() -> new IllegalStateException("PostgreSQL is not running"));
            sendFastShutdown(postmaster.pid());
            postmaster.onExit().get(60, TimeUnit.SECONDS);
            restarted = new ProcessBuilder(commandLine).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolveSibling("restarted-postgres.log").toFile()))
                    .start();
            watchdog.disarm();
            watchdog = ManagedProcess.watchdog("postgres-watchdog", restarted.pid());
            awaitConnections(Duration.ofSeconds(60));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restart PostgreSQL", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while restarting PostgreSQL", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("PostgreSQL did not stop within 60 s", e);
        }
    }

    private long postmasterPid() throws IOException {
        return postmasterPid(data);
    }

    private static long postmasterPid(Path data) throws IOException {
        return Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).getFirst().trim());
    }

    /** SIGINT is PostgreSQL's fast shutdown: clients are disconnected, open transactions rolled back. */
    private static void sendFastShutdown(long pid) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-INT", Long.toString(pid)).start().waitFor(10, TimeUnit.SECONDS);
    }

    /** {@code /path/postgres "-D" "/data" "-p" "5432" ...}: the binary, then each argument in double quotes. */
    static List<String> commandLine(String postmasterOpts) {
        String line = postmasterOpts.strip();
        int firstQuote = line.indexOf('"');
        List<String> command = new ArrayList<>(List.of(line.substring(0, firstQuote).strip()));
        Matcher argument = Pattern.compile("\"([^\"]*)\"").matcher(line.substring(firstQuote));
        while (argument.find()) {
            command.add(argument.group(1));
        }
        return command;
    }

    private void awaitConnections(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
                return;
            } catch (SQLException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("PostgreSQL did not accept connections within " + timeout, notYet);
                }
                Thread.sleep(200);
            }
        }
    }

    @Override
    public synchronized void close() {
        try {
            if (restarted != null) {
                sendFastShutdown(restarted.pid());
                restarted.waitFor(60, TimeUnit.SECONDS);
            }
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            watchdog.disarm();
            sockets.toFile().delete();
        }
    }
}
