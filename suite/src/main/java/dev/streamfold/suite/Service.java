package dev.streamfold.suite;

import java.nio.file.Files;
import java.nio.file.Path;

/** The five services, each started from its executable jar or its container image exactly as a user would run it. */
enum Service {
    INGEST("ingest"),
    ENRICHMENT("enrichment"),
    AGGREGATION("aggregation"),
    RECONCILIATION("reconciliation"),
    QUERY("query");

    private final String id;

    Service(String id) {
        this.id = id;
    }

    String id() {
        return id;
    }

    /** The jar the build made, passed in by Maven as {@code -Dstreamfold.jar.<id>}. */
    Path jar() {
        String property = "streamfold.jar." + id;
        String location = System.getProperty(property);
        if (location == null) {
            throw new IllegalStateException("-D" + property + " is not set: run through ./mvnw (see README)");
        }
        Path jar = Path.of(location).normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: build the services first (./mvnw package)");
        }
        return jar;
    }

    /** The image tarball the build made ({@code jib:buildTar}), passed in by Maven as {@code -Dstreamfold.image.<id>}. */
    Path imageTarball() {
        String property = "streamfold.image." + id;
        String location = System.getProperty(property);
        if (location == null) {
            throw new IllegalStateException("-D" + property + " is not set: run through ./mvnw (see README)");
        }
        return Path.of(location).normalize();
    }
}
