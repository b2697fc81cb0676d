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

    /** SIGKILL: no shutdown hooks. Returns once it is gone. */
    void kill() {
        killer.run();
        process.close();
    }

    /** SIGTERM and Spring's graceful shutdown; returns once it has exited. */
    @Override
    public void close() {
        process.close();
    }
}
