package dev.streamfold.deploy;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The configuration properties one Streamfold service binds, and whether an environment variable names one of them
 * (Spring Boot's relaxed binding: {@code enrichment.state-dir} is {@code ENRICHMENT_STATEDIR} or, in the legacy form,
 * {@code ENRICHMENT_STATE_DIR}; below a map property such as {@code spring.kafka.properties} any further name binds as
 * the map's key).
 *
 * <p>The properties are: the keys of the service's {@code application.yml}; the components of the
 * {@code @ConfigurationProperties} records in its sources and in {@code common}'s (read from the sources); and the
 * properties Spring Boot documents in the configuration metadata of its modules the services use (Kafka, JDBC, web
 * server, Actuator, logging).
 */
final class ServiceConfiguration {

    /** The five services: the compose service / chart component name and its Maven module. */
    static final Map<String, String> MODULES = Map.of(
            "ingest", "ingest-service",
            "enrichment", "enrichment-service",
            "aggregation", "aggregation-service",
            "query", "query-service",
            "reconciliation", "reconciliation-service");

    /** Variables that are not meant as properties: the JVM's, and the pod name the chart expands in another value. */
    static final Set<String> NOT_PROPERTIES = Set.of("JAVA_TOOL_OPTIONS", "POD_NAME");

    private static final Map<String, ServiceConfiguration> CACHE = new ConcurrentHashMap<>();
    private static volatile ConfigurationPropertiesSources.Bindings springBoot;

    private final String module;
    private final Set<String> properties;
    private final Set<String> mapPrefixes;
    private final Set<String> variables = new TreeSet<>();
    private final Set<String> variablePrefixes = new TreeSet<>();

    private ServiceConfiguration(String module, Set<String> properties, Set<String> mapPrefixes) {
        this.module = module;
        this.properties = Collections.unmodifiableSet(properties);
        this.mapPrefixes = Collections.unmodifiableSet(mapPrefixes);
        properties.forEach(property -> variables.addAll(variableNames(property)));
        mapPrefixes.forEach(prefix -> variableNames(prefix).forEach(name -> variablePrefixes.add(name + "_")));
    }

    /** The configuration of a service module (e.g. {@code enrichment-service}) of the repository. */
    static ServiceConfiguration of(String module) {
        return CACHE.computeIfAbsent(module, ServiceConfiguration::read);
    }

    /** The configuration of a chart component or compose service (e.g. {@code enrichment}). */
    static ServiceConfiguration ofComponent(String component) {
        String module = MODULES.get(component);
        if (module == null) {
            throw new IllegalArgumentException(component + " is none of the five services " + MODULES.keySet());
        }
        return of(module);
    }

    private static ServiceConfiguration read(String module) {
        Path root = Repository.root();
        Path moduleDir = root.resolve(module);
        if (!Files.isDirectory(moduleDir)) {
            throw new IllegalArgumentException("no module " + module + " in " + root);
        }
        Set<String> properties = new TreeSet<>();
        Set<String> mapPrefixes = new TreeSet<>();

        for (String name : List.of("application.yml", "application.yaml")) {
            Path file = moduleDir.resolve("src/main/resources").resolve(name);
            if (Files.isRegularFile(file)) {
                flatten("", Yaml.loadMap(file), properties);
            }
        }
        ConfigurationPropertiesSources.Bindings own = ConfigurationPropertiesSources.read(List.of(
                moduleDir.resolve("src/main/java"), root.resolve("common/src/main/java")));
        properties.addAll(own.properties());
        mapPrefixes.addAll(own.mapPrefixes());

        ConfigurationPropertiesSources.Bindings boot = springBoot();
        properties.addAll(boot.properties());
        mapPrefixes.addAll(boot.mapPrefixes());
        return new ServiceConfiguration(module, properties, mapPrefixes);
    }

    String module() {
        return module;
    }

    /** The properties of the service's own application.yml and records, and Spring Boot's (for diagnostics). */
    Set<String> properties() {
        return properties;
    }

    Set<String> mapPrefixes() {
        return mapPrefixes;
    }

    /** Whether Spring binds this environment variable to a property of the service (or it is a known non-property). */
    boolean binds(String variable) {
        if (NOT_PROPERTIES.contains(variable)) {
            return true;
        }
        if (!variable.matches("[A-Z][A-Z0-9_]*")) {
            return false;
        }
        if (variables.contains(variable)) {
            return true;
        }
        return variablePrefixes.stream().anyMatch(prefix -> variable.startsWith(prefix) && variable.length() > prefix.length());
    }

    /** The variables among {@code names} that name no property of the service, each with the nearest one that does. */
    List<String> unknown(Collection<String> names) {
        List<String> unknown = new ArrayList<>();
        for (String name : names) {
            if (!binds(name)) {
                unknown.add(name + " (no property of " + module + "; nearest: " + nearest(name) + ")");
            }
        }
        return unknown;
    }

    private String nearest(String name) {
        return properties.stream()
                .map(property -> property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'))
                .min(Comparator.comparingInt(candidate -> distance(name, candidate)))
                .orElse("none");
    }

    /** {@code a.b-c} → A_BC (Spring's form) and A_B_C (the legacy form Spring also binds). */
    static Set<String> variableNames(String property) {
        String upper = property.toUpperCase(Locale.ROOT).replace('.', '_');
        return new java.util.LinkedHashSet<>(List.of(upper.replace("-", ""), upper.replace('-', '_')));
    }

    private static void flatten(String prefix, Map<?, ?> map, Set<String> into) {
        map.forEach((key, value) -> {
            String name = prefix.isEmpty() ? String.valueOf(key) : prefix + "." + key;
            if (value instanceof Map<?, ?> nested && !nested.isEmpty()) {
                flatten(name, nested, into);
            } else {
                into.add(name);
            }
        });
    }

    /** The properties documented in every {@code META-INF/spring-configuration-metadata.json} on the class path. */
    private static ConfigurationPropertiesSources.Bindings springBoot() {
        if (springBoot == null) {
            Set<String> properties = new TreeSet<>();
            Set<String> mapPrefixes = new TreeSet<>();
            int files = 0;
            for (String resource : List.of("META-INF/spring-configuration-metadata.json",
                    "META-INF/additional-spring-configuration-metadata.json")) {
                try {
                    Enumeration<URL> urls = ServiceConfiguration.class.getClassLoader().getResources(resource);
                    while (urls.hasMoreElements()) {
                        files++;
                        try (Reader reader = new InputStreamReader(urls.nextElement().openStream(), StandardCharsets.UTF_8)) {
                            JsonObject metadata = JsonParser.parseReader(reader).getAsJsonObject();
                            if (!metadata.has("properties")) {
                                continue;
                            }
                            for (JsonElement element : metadata.getAsJsonArray("properties")) {
                                JsonObject property = element.getAsJsonObject();
                                String name = property.get("name").getAsString();
                                String type = property.has("type") ? property.get("type").getAsString() : "";
                                if (type.startsWith("java.util.Map")) {
                                    mapPrefixes.add(name);
                                } else {
                                    properties.add(name);
                                }
                            }
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            if (files == 0 || !properties.contains("spring.kafka.bootstrap-servers")) {
                throw new IllegalStateException("Spring Boot's configuration metadata is not on the test class path");
            }
            springBoot = new ConfigurationPropertiesSources.Bindings(properties, mapPrefixes);
        }
        return springBoot;
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
