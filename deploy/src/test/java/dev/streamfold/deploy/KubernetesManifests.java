package dev.streamfold.deploy;

import com.google.gson.Gson;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rendered manifests parsed strictly: each kind the chart may render is read with the Kubernetes API model of its
 * apiVersion (client-java's models reject unknown fields and missing required ones); any other kind is an error.
 */
final class KubernetesManifests {

    /** The kinds the chart renders, with the apiVersion each must have. */
    static final Map<String, String> API_VERSIONS = Map.of(
            "ConfigMap", "v1",
            "Secret", "v1",
            "Service", "v1",
            "StatefulSet", "apps/v1",
            "Deployment", "apps/v1",
            "PodDisruptionBudget", "policy/v1",
            "ServiceMonitor", "monitoring.coreos.com/v1",
            "PrometheusRule", "monitoring.coreos.com/v1");

    private static final Gson GSON = new Gson();

    private KubernetesManifests() {
    }

    /**
     * @param kind       e.g. StatefulSet
     * @param name       metadata.name
     * @param raw        the manifest as YAML read it
     * @param model      the typed model (V1StatefulSet, ...), or the raw map for a ServiceMonitor or PrometheusRule
     */
    record Manifest(String apiVersion, String kind, String name, Map<String, Object> raw, Object model) {
    }

    static List<Manifest> parseAll(String multiDocumentYaml) {
        List<Manifest> manifests = new ArrayList<>();
        for (Map<String, Object> document : Yaml.loadAll(multiDocumentYaml)) {
            manifests.add(parse(document));
        }
        return manifests;
    }

    static Manifest parse(Map<String, Object> document) {
        String kind = String.valueOf(document.get("kind"));
        String apiVersion = String.valueOf(document.get("apiVersion"));
        String name = String.valueOf(Yaml.at(document, "metadata.name"));
        String expectedApiVersion = API_VERSIONS.get(kind);
        if (expectedApiVersion == null) {
            throw new IllegalArgumentException("the chart renders a " + kind + " (" + name + "), a kind these checks do not"
                    + " know: add its model to KubernetesManifests");
        }
        if (!expectedApiVersion.equals(apiVersion)) {
            throw new IllegalArgumentException(kind + " " + name + " has apiVersion " + apiVersion + ", expected "
                    + expectedApiVersion);
        }
        String json = GSON.toJson(document);
        try {
            Object model = switch (kind) {
                case "ConfigMap" -> V1ConfigMap.fromJson(json);
                case "Secret" -> V1Secret.fromJson(json);
                case "Service" -> V1Service.fromJson(json);
                case "StatefulSet" -> V1StatefulSet.fromJson(json);
                case "Deployment" -> V1Deployment.fromJson(json);
                case "PodDisruptionBudget" -> V1PodDisruptionBudget.fromJson(json);
                case "ServiceMonitor" -> checkServiceMonitor(name, document);
                case "PrometheusRule" -> checkPrometheusRule(name, document);
                default -> throw new IllegalStateException(kind);
            };
            return new Manifest(apiVersion, kind, name, document, model);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(kind + " " + name + " is not a valid " + apiVersion + " " + kind + ": "
                    + e.getMessage(), e);
        }
    }

    /** No model in client-java: the fields the Prometheus Operator needs, checked by hand. */
    private static Map<String, Object> checkServiceMonitor(String name, Map<String, Object> document) {
        Object matchLabels = Yaml.at(document, "spec.selector.matchLabels");
        Object endpoints = Yaml.at(document, "spec.endpoints");
        if (!(matchLabels instanceof Map<?, ?> labels) || labels.isEmpty()) {
            throw new IllegalArgumentException("ServiceMonitor " + name + " selects no Service (spec.selector.matchLabels)");
        }
        if (!(endpoints instanceof List<?> list) || list.isEmpty()) {
            throw new IllegalArgumentException("ServiceMonitor " + name + " has no spec.endpoints");
        }
        for (Object endpoint : list) {
            if (!(endpoint instanceof Map<?, ?> map) || map.get("port") == null || map.get("path") == null) {
                throw new IllegalArgumentException("ServiceMonitor " + name + " has an endpoint without port or path: "
                        + endpoint);
            }
        }
        return document;
    }

    /** No model in client-java either: spec holds only groups, checked as Prometheus checks a rules file. */
    private static Map<String, Object> checkPrometheusRule(String name, Map<String, Object> document) {
        if (!(document.get("spec") instanceof Map<?, ?> spec) || !spec.keySet().equals(Set.of("groups"))) {
            throw new IllegalArgumentException("PrometheusRule " + name + " needs a spec with groups only, has "
                    + document.get("spec"));
        }
        PrometheusRules.checkGroups("PrometheusRule " + name, spec.get("groups"));
        return document;
    }
}
