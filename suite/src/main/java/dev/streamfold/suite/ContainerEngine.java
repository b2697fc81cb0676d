package dev.streamfold.suite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The command-line client of a container engine: Podman or Docker, which take the same {@code load}, {@code run}
 * and {@code kill} arguments. The CLI rather than Testcontainers' Docker API, so that a machine with Podman and no
 * Docker daemon (like the CI machines) runs the images too.
 */
record ContainerEngine(String command) {

    static final String PROPERTY = "streamfold.suite.container-engine";

    /** {@code -Dstreamfold.suite.container-engine}, else the first of {@code podman} and {@code docker} on the PATH. */
    static ContainerEngine fromSystemProperties() {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return new ContainerEngine(configured);
        }
        return Stream.of("podman", "docker")
                .filter(ContainerEngine::onPath)
                .findFirst()
                .map(ContainerEngine::new)
                .orElseThrow(() -> new IllegalStateException("the suite is to start the services' images, but neither"
                        + " podman nor docker is on the PATH: install one, set -D" + PROPERTY + ", or run the jars"
                        + " (-D" + Launcher.PROPERTY + "=jars)"));
    }

    /** Loads an image tarball ({@code jib:buildTar}'s) and returns the image's name as the engine reports it. */
    String load(Path tarball) {
        if (!Files.isRegularFile(tarball)) {
            throw new IllegalStateException(tarball + " does not exist: build the images first (see deploy/README.md)");
        }
        String output = run(List.of("load", "-i", tarball.toString()));
        return output.lines()
                .filter(line -> line.startsWith("Loaded image"))
                .map(line -> line.substring(line.indexOf(':') + 1).trim())
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(command + " load " + tarball + " named no image:\n" + output));
    }

    /** Ends a container with SIGKILL, as a crash would. */
    void kill(String container) {
        run(List.of("kill", "--signal", "KILL", container));
    }

    private String run(List<String> arguments) {
        List<String> full = new ArrayList<>(List.of(command));
        full.addAll(arguments);
        try {
            Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", full) + " failed:\n" + new String(output, StandardCharsets.UTF_8));
            }
            return new String(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + full, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + full, e);
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(":")).map(dir -> Path.of(dir, program)).anyMatch(Files::isExecutable);
    }
}
