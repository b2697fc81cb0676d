package dev.streamfold.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;

/** YAML in and out with SnakeYAML's safe constructor; duplicate keys are an error, as they are for Kubernetes. */
final class Yaml {

    private Yaml() {
    }

    private static org.yaml.snakeyaml.Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        DumperOptions dumper = new DumperOptions();
        dumper.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new org.yaml.snakeyaml.Yaml(new SafeConstructor(options), new Representer(dumper), dumper, options);
    }

    static Map<String, Object> loadMap(Path file) {
        return loadMap(read(file));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> loadMap(String text) {
        Object loaded = yaml().load(text);
        if (!(loaded instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("not a YAML mapping: " + text.lines().findFirst().orElse(""));
        }
        return (Map<String, Object>) map;
    }

    /** Every non-empty document of a multi-document stream (such as helm template's output), in order. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> loadAll(String text) {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : yaml().loadAll(text)) {
            if (document == null) {
                continue;
            }
            if (!(document instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException("a document that is not a mapping: " + document);
            }
            documents.add((Map<String, Object>) map);
        }
        return documents;
    }

    static String dump(Object value) {
        return yaml().dump(value);
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Helm's merge of values files: mappings merge key by key, anything else in {@code overrides} replaces. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> overrides) {
        Map<String, Object> merged = new LinkedHashMap<>(base);
        overrides.forEach((key, value) -> {
            Object existing = merged.get(key);
            if (existing instanceof Map<?, ?> existingMap && value instanceof Map<?, ?> valueMap) {
                merged.put(key, merge((Map<String, Object>) existingMap, (Map<String, Object>) valueMap));
            } else {
                merged.put(key, value);
            }
        });
        return merged;
    }

    /** The value at a dotted path of nested mappings, or null. */
    static Object at(Map<String, Object> root, String path) {
        Object current = root;
        for (String key : path.split("\\.")) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(key);
        }
        return current;
    }
}
