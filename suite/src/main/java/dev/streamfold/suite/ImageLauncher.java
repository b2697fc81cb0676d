package dev.streamfold.suite;

import dev.streamfold.localstack.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each service as a container of its image, run the way the Helm chart runs it: as the image's non-root user,
 * with a read-only root filesystem, a writable {@code /tmp} and the state directory on a volume. Host networking,
 * so that the services reach the local stack on loopback and the tests reach the services on their ports.
 */
final class ImageLauncher implements Launcher {

    // One load per image and test JVM, however many suites it starts.
    private static final Map<Service, String> LOADED = new ConcurrentHashMap<>();

    private final ContainerEngine engine;

    ImageLauncher(ContainerEngine engine) {
        this.engine = engine;
    }

    @Override
    public ServiceProcess start(Service service, List<String> arguments, Path workDir, Path log) {
        String image = LOADED.computeIfAbsent(service, s -> engine.load(s.imageTarball()));
        String container = "streamfold-" + workDir.getParent().getFileName() + "-" + service.id();
        shareWithImageUser(workDir);
        List<String> command = new ArrayList<>(List.of(engine.command(), "run", "--rm", "--name", container,
                "--network", "host", "--read-only", "--tmpfs", "/tmp",
                "--volume", workDir + ":" + workDir,
                "--env", "JAVA_TOOL_OPTIONS=" + String.join(" ", JarLauncher.SMALL_JVM),
                image));
        command.addAll(arguments);
        // The client forwards SIGTERM to the container (--sig-proxy, on by default), so closing it stops the service.
        ManagedProcess client = ManagedProcess.start(service.id() + "-container", command, Map.of(), workDir, log,
                Duration.ofSeconds(40));
        return new ServiceProcess(client, () -> engine.kill(container));
    }

    /** The image runs as uid 10001, not as the test's user: the mounted state directory must be writable to it. */
    private static void shareWithImageUser(Path workDir) {
        try {
            Files.setPosixFilePermissions(workDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
