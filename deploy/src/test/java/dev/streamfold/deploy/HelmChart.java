package dev.streamfold.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The chart helm/streamfold, linted and rendered by Helm itself (helm-java embeds Helm's Go library): no helm binary,
 * no cluster, no network.
 */
final class HelmChart {

    static final String RELEASE = "streamfold";
    static final String NAMESPACE = "streamfold";
    /** The Kubernetes version rendered for (helm-java's default, 1.20, is below the chart's kubeVersion). */
    static final String KUBE_VERSION = "1.34.0";

    /** Rendering takes Helm a fraction of a second; tests share the renderings of the same values. */
    private static final Map<String, Rendered> RENDERED = new ConcurrentHashMap<>();

    private HelmChart() {
    }

    /** {@code helm lint --strict} of the chart with its own values.yaml. */
    static LintResult lintStrict() {
        return new Helm(Repository.chart()).lint().strict().call();
    }

    /**
     * {@code helm lint --strict -f valuesFile}: helm-java's lint takes no values file, so a copy of the chart whose
     * values.yaml is values.yaml merged with the file (as Helm merges them) is linted.
     */
    static LintResult lintStrict(Path valuesFile) {
        Path work = null;
        try {
            work = Files.createTempDirectory("streamfold-chart-");
            Path copy = work.resolve(Repository.chart().getFileName());
            copyTree(Repository.chart(), copy);
            Map<String, Object> merged = Yaml.merge(Yaml.loadMap(Repository.chart().resolve("values.yaml")),
                    Yaml.loadMap(valuesFile));
            Files.writeString(copy.resolve("values.yaml"), Yaml.dump(merged));
            return new Helm(copy).lint().strict().call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteTree(work);
        }
    }

    /** The default values' manifests. */
    static Rendered render() {
        return RENDERED.computeIfAbsent("default", key -> Rendered.of(template(null, Map.of())));
    }

    /** The manifests of the chart with values-production.yaml. */
    static Rendered renderProduction() {
        return RENDERED.computeIfAbsent("production", key -> Rendered.of(template(Repository.productionValues(), Map.of())));
    }

    /** {@code helm template} with an optional values file and {@code --set} values; Helm's errors are thrown. */
    static String template(Path valuesFile, Map<String, Object> set) {
        TemplateCommand command = new Helm(Repository.chart()).template().withName(RELEASE).withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION);
        if (valuesFile != null) {
            command = command.withValuesFile(valuesFile);
        }
        for (Map.Entry<String, Object> entry : new LinkedHashMap<>(set).entrySet()) {
            command = command.set(entry.getKey(), entry.getValue());
        }
        return command.call();
    }

    /** The chart's NOTES.txt as {@code helm install --dry-run=client} prints it (no cluster contacted). */
    static String notes(Path valuesFile, Map<String, Object> set) {
        InstallCommand command = new Helm(Repository.chart()).install().withName(RELEASE).withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION).dryRun().clientOnly();
        if (valuesFile != null) {
            command = command.withValuesFile(valuesFile);
        }
        for (Map.Entry<String, Object> entry : set.entrySet()) {
            command = command.set(entry.getKey(), entry.getValue());
        }
        String output = command.call().getOutput();
        int notes = output.indexOf("NOTES:");
        if (notes < 0) {
            throw new IllegalStateException("helm install --dry-run printed no notes:\n" + output);
        }
        return output.substring(notes + "NOTES:".length());
    }

    static Rendered render(Map<String, Object> set) {
        return Rendered.of(template(null, set));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }

    private static void deleteTree(Path root) {
        if (root == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Helm's output, every manifest parsed strictly into its Kubernetes model. */
    record Rendered(String text, List<KubernetesManifests.Manifest> manifests) {

        static Rendered of(String text) {
            return new Rendered(text, KubernetesManifests.parseAll(text));
        }

        List<KubernetesManifests.Manifest> ofKind(String kind) {
            return manifests.stream().filter(manifest -> manifest.kind().equals(kind)).toList();
        }

        <T> T get(String kind, String name, Class<T> type) {
            return manifests.stream()
                    .filter(manifest -> manifest.kind().equals(kind) && manifest.name().equals(name))
                    .map(manifest -> type.cast(manifest.model()))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " rendered; there are "
                            + manifests.stream().map(m -> m.kind() + " " + m.name()).toList()));
        }

        boolean has(String kind, String name) {
            return manifests.stream().anyMatch(manifest -> manifest.kind().equals(kind) && manifest.name().equals(name));
        }
    }
}
