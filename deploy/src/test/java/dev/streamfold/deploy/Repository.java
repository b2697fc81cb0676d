package dev.streamfold.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the checked files are: the repository this module belongs to. */
final class Repository {

    private Repository() {
    }

    /** Set by the build ({@code streamfold.repository.root}); else the parent of the working directory. */
    static Path root() {
        String configured = System.getProperty("streamfold.repository.root");
        Path root = (configured != null ? Path.of(configured) : Path.of("").toAbsolutePath().getParent())
                .toAbsolutePath().normalize();
        if (!Files.isRegularFile(root.resolve("pom.xml")) || !Files.isDirectory(root.resolve("helm"))) {
            throw new IllegalStateException(root + " is not the Streamfold repository (no pom.xml and helm/ there)");
        }
        return root;
    }

    static Path chart() {
        return root().resolve("helm").resolve("streamfold");
    }

    static Path productionValues() {
        return chart().resolve("values-production.yaml");
    }

    static Path composeFile() {
        return root().resolve("docker-compose.yml");
    }
}
