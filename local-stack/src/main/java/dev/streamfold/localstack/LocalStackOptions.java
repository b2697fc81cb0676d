package dev.streamfold.localstack;

import java.nio.file.Path;

/**
 * Where the stack keeps its data and which loopback ports it listens on; a port of 0 means any free port.
 */
public record LocalStackOptions(Path workDir, int kafkaPort, int registryPort, int registryManagementPort, int postgresPort) {

    /** Random ports under {@code workDir}: what tests use, so that runs never collide. */
    public static LocalStackOptions randomPorts(Path workDir) {
        return new LocalStackOptions(workDir, 0, 0, 0, 0);
    }
}
