package dev.streamfold.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The image tarballs that {@code jib:buildTar} made (when the build makes images: {@code -Pimages}, or the offline base
 * image present, as in CI): what the Helm chart and docker-compose.yml rely on. The suite's end-to-end test runs the
 * same images.
 */
class ServiceImagesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "ingest-service, 8091, dev.streamfold.ingest.IngestApplication",
            "enrichment-service, 8092, dev.streamfold.enrichment.EnrichmentApplication",
            "aggregation-service, 8093, dev.streamfold.aggregation.AggregationApplication",
            "reconciliation-service, 8094, dev.streamfold.reconciliation.ReconciliationApplication",
            "query-service, 8080, dev.streamfold.query.QueryServiceApplication"})
    void shouldBeANonRootLayeredImageNamedAsTheChartExpects(String module, int port, String mainClass) throws IOException {
        // Given the image tarball the build made for the service
        assumeTrue(imagesBuilt(), "this build makes no images (-Pimages, or deploy/images/build-offline-base.sh first)");
        Path tarball = Repository.root().resolve(module).resolve("target").resolve("jib-image.tar");
        assertThat(tarball).as("the build makes images, so it made this one").isRegularFile();
        Map<String, byte[]> entries = read(tarball);
        JsonNode manifest = JSON.readTree(entries.get("manifest.json")).get(0);
        JsonNode config = JSON.readTree(entries.get(manifest.get("Config").asText()));
        JsonNode container = config.get("config");

        // Then it is named as the chart and docker-compose.yml name it: streamfold/<module>:<the chart's appVersion>
        assertThat(manifest.get("RepoTags").get(0).asText()).isEqualTo("streamfold/" + module + ":" + chartAppVersion());
        // And it runs as the non-root user the chart's securityContext expects
        assertThat(container.get("User").asText()).isEqualTo("10001:10001");
        // And it starts the service's main class on the image's JRE, heap sized from the container's memory
        assertThat(texts(container.get("Entrypoint")))
                .startsWith("java")
                .contains("-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", mainClass)
                .anyMatch(flag -> flag.startsWith("-Dorg.apache.avro.SERIALIZABLE_PACKAGES="));
        assertThat(container.get("ExposedPorts").has(port + "/tcp")).as("exposes server.port %d", port).isTrue();
        // And the application is split into layers that change at different rates, over the JRE base
        List<String> appLayers = StreamSupport.stream(config.get("history").spliterator(), false)
                .filter(step -> "Jib".equals(step.path("author").asText()))
                .map(step -> step.path("comment").asText())
                .toList();
        assertThat(appLayers).contains("dependencies", "resources", "classes");
        assertThat(manifest.get("Layers").size()).as("base layer(s) under the application's").isGreaterThan(appLayers.size());
        printLayers(module, manifest, config, entries);
    }

    private static boolean imagesBuilt() {
        return !"none".equals(System.getProperty("streamfold.images.phase", "none"));
    }

    private static String chartAppVersion() throws IOException {
        Map<String, Object> chart = Yaml.loadMap(Repository.chart().resolve("Chart.yaml"));
        return chart.get("appVersion").toString();
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    /** The tarball's small files (manifest, config) with their content, its layers with their size only. */
    private static Map<String, byte[]> read(Path tarball) throws IOException {
        Map<String, byte[]> entries = new HashMap<>();
        try (InputStream file = Files.newInputStream(tarball); TarArchiveInputStream tar = new TarArchiveInputStream(file)) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                entries.put(entry.getName(), entry.getName().endsWith(".json") ? tar.readAllBytes()
                        : Long.toString(entry.getSize()).getBytes());
            }
        }
        return entries;
    }

    /** For the record (the build log): each layer's size and what made it. */
    private static void printLayers(String module, JsonNode manifest, JsonNode config, Map<String, byte[]> entries) {
        List<JsonNode> steps = StreamSupport.stream(config.get("history").spliterator(), false)
                .filter(step -> !step.path("empty_layer").asBoolean(false)).toList();
        StringBuilder out = new StringBuilder(module + " image, user " + config.get("config").get("User").asText() + ":");
        for (int i = 0; i < manifest.get("Layers").size(); i++) {
            String layer = manifest.get("Layers").get(i).asText();
            long bytes = Long.parseLong(new String(entries.get(layer)));
            String madeBy = i < steps.size() ? steps.get(i).path("comment").asText(steps.get(i).path("created_by").asText()) : "?";
            out.append("%n  %8.1f MB  %s".formatted(bytes / 1e6, madeBy));
        }
        System.out.println(out);
    }
}
