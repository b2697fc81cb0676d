package dev.streamfold.suite;

import java.nio.file.Path;
import java.util.List;

/**
 * How the suite starts a service: from its executable jar (the default, on any machine with a JDK) or from its
 * container image (where a container engine runs; chosen with {@code -Dstreamfold.suite.launcher=images}).
 * Either way the service gets the same command-line properties, so the same tests prove both.
 */
interface Launcher {

    String PROPERTY = "streamfold.suite.launcher";

    ServiceProcess start(Service service, List<String> arguments, Path workDir, Path log);

    /** What {@code -Dstreamfold.suite.launcher} asks for: {@code jars} (default) or {@code images}. */
    static Launcher fromSystemProperties() {
        String choice = System.getProperty(PROPERTY, "jars");
        return switch (choice) {
            case "jars" -> new JarLauncher();
            case "images" -> new ImageLauncher(ContainerEngine.fromSystemProperties());
            default -> throw new IllegalArgumentException(
                    "-D" + PROPERTY + "=" + choice + ": expected 'jars' or 'images'");
        };
    }
}
