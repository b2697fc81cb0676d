package dev.streamfold.localstack;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * A child process that cannot outlive us. It runs under a small {@code sh} guard in its own session (so a
 * terminal's Ctrl-C reaches only our JVM, which then stops children in order); the guard holds a pipe from our
 * JVM and terminates the child as soon as that pipe closes: on {@link #close()}, on a normal exit, and also
 * when our JVM is killed outright, since the kernel closes the pipe then too.
 */
public final class ManagedProcess implements AutoCloseable {

    /*
     * The pipe is read by a watcher subshell while the guard itself waits for the child: so the guard ends when
     * the child ends by itself (a crash, a kill), and isAlive() tells the truth. A guard that blocked in `read`
     * instead would outlive its dead child until close(). A child that has not ended 45 s after SIGTERM gets
     * SIGKILL: when our JVM dies outright, it may take the broker the child talks to with it, and a Kafka client's
     * graceful close then waits for that broker for ever.
     */
    private static final String GUARD = """
            exec 3<&0
            "$@" </dev/null 3<&- &
            child=$!
            { read -r _ <&3 || true; kill -TERM "$child" 2>/dev/null; sleep 45; kill -KILL "$child" 2>/dev/null; } &
            watcher=$!
            exec 3<&-
            wait "$child"
            status=$?
            kill "$watcher" 2>/dev/null
            exit "$status"
            """;

    private final String name;
    private final Process guard;
    private final OutputStream lifeline;
    private final Duration stopTimeout;

    private ManagedProcess(String name, Process guard, Duration stopTimeout) {
        this.name = name;
        this.guard = guard;
        this.lifeline = guard.getOutputStream();
        this.stopTimeout = stopTimeout;
    }

    /** Starts {@code command} with its output appended to {@code log}. */
    public static ManagedProcess start(String name, List<String> command, Map<String, String> environment,
            Path workingDirectory, Path log, Duration stopTimeout) {
        List<String> guarded = new ArrayList<>(List.of("setsid", "sh", "-c", GUARD, name));
        guarded.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(guarded)
                .directory(workingDirectory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        try {
            return new ManagedProcess(name, builder.start(), stopTimeout);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    private static final String WATCHDOG = """
            read -r _ || true
            kill -INT "$1" 2>/dev/null
            sleep 45
            kill -QUIT "$1" 2>/dev/null
            """;

    /**
     * Guards a process we did not start as our child (PostgreSQL's postmaster): if our JVM dies without stopping
     * it, the watchdog sends it SIGINT, PostgreSQL's fast shutdown, and 45 s later SIGQUIT, its immediate shutdown
     * (a fast shutdown waits for replication clients that may be hung). {@link #disarm()} it after a normal stop.
     */
    public static ManagedProcess watchdog(String name, long pid) {
        ProcessBuilder builder = new ProcessBuilder("setsid", "sh", "-c", WATCHDOG, name, Long.toString(pid))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectErrorStream(true);
        try {
            return new ManagedProcess(name, builder.start(), Duration.ofSeconds(5));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start watchdog for " + name, e);
        }
    }

    /** Ends a watchdog without letting it signal: its target was stopped normally. */
    public void disarm() {
        guard.destroyForcibly();
    }

    /** The JDK this JVM runs on: JDK 21+, as the build selected it, not whatever {@code java} is on the PATH. */
    public static String currentJava() {
        return ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    public String name() {
        return name;
    }

    /** Whether the child still runs: the guard ends with it, however it ends. */
    public boolean isAlive() {
        return guard.isAlive();
    }

    public long pid() {
        return guard.pid();
    }

    /** The child's exit status once it has ended (128 + the signal's number if a signal ended it), else empty. */
    public OptionalInt exitCode() {
        return guard.isAlive() ? OptionalInt.empty() : OptionalInt.of(guard.exitValue());
    }

    /**
     * Asks a Java child for a thread dump (SIGQUIT: the JVM prints every thread's stack to its output, the log, and
     * goes on). Only Java children are signalled: SIGQUIT ends a shell, and with it the guard's watcher. Returns
     * whether one was asked.
     */
    public boolean requestThreadDump() {
        List<ProcessHandle> jvms = guard.children()
                .filter(child -> child.info().command().map(command -> command.endsWith("/java")).orElse(false))
                .toList();
        for (ProcessHandle jvm : jvms) {
            try {
                new ProcessBuilder("kill", "-QUIT", Long.toString(jvm.pid())).start().waitFor(5, TimeUnit.SECONDS);
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return !jvms.isEmpty();
    }

    /**
     * Ends the child with SIGKILL, no shutdown hooks, no graceful shutdown: what a crash or an OOM kill looks
     * like to the rest of the system. Returns once it is gone.
     */
    public void kill() {
        guard.descendants().forEach(ProcessHandle::destroyForcibly);
        try {
            if (!guard.waitFor(stopTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                guard.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            guard.destroyForcibly();
        }
    }

    @Override
    public void close() {
        List<ProcessHandle> tree = new ArrayList<>(guard.descendants().toList());
        try {
            lifeline.close();
        } catch (IOException ignored) {
            // the guard is gone already; the descendants are handled below
        }
        try {
            if (!guard.waitFor(stopTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                tree.forEach(ProcessHandle::destroyForcibly);
                guard.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            tree.forEach(ProcessHandle::destroyForcibly);
        }
    }
}
