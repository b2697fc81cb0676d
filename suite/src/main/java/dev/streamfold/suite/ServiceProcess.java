package dev.streamfold.suite;

import dev.streamfold.localstack.ManagedProcess;

/**
 * One running service, however it was started: a JVM from its jar, or a container from its image. {@code process} is
 * the child we started (the JVM, or the container engine's client, which forwards SIGTERM to the container);
 * {@code killer} ends the service with SIGKILL, as a crash or the OOM killer would.
 */
record ServiceProcess(ManagedProcess process, Runnable killer) implements AutoCloseable {

    boolean isAlive() {
        return process.isAlive();
    }

    /** A thread dump into the service's log, if it is a JVM we started (not a container). */
    boolean requestThreadDump() {
        return process.isAlive() && process.requestThreadDump();
    }

    /** SIGKILL: no shutdown hooks. Returns once it is gone. */
    void kill() {
        crash();
        process.close();
    }

    /** SIGKILL, and nothing else: the service is simply dead, as after an OOM kill, until someone notices. */
    void crash() {
        killer.run();
    }

    /** How it ended, for the log: "exit code 1", "killed by signal 9", or "still running". */
    String howItEnded() {
        return process.exitCode().stream()
                .mapToObj(code -> code > 128 ? "killed by signal " + (code - 128) : "exit code " + code)
                .findFirst().orElse("still running");
    }

    /** SIGTERM and Spring's graceful shutdown; returns once it has exited. */
    @Override
    public void close() {
        process.close();
    }
}
