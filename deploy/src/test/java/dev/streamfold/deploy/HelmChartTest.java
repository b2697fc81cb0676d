package dev.streamfold.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.LintResult;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** helm/streamfold as Helm and the Kubernetes API see it: lint, rendering, strict models, real properties. */
class HelmChartTest {

    static Stream<Arguments> valueSets() {
        return Stream.of(Arguments.of("default values", HelmChart.render()),
                Arguments.of("values-production.yaml", HelmChart.renderProduction()));
    }

    @Test
    void shouldPassStrictLintWithTheDefaultValues() {
        // Given the chart with its values.yaml
        // When helm lint --strict runs
        LintResult result = HelmChart.lintStrict();

        // Then it reports no error and no warning
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
        assertThat(result.getMessages()).noneMatch(message -> message.contains("[ERROR]") || message.contains("[WARNING]"));
    }

    @Test
    void shouldPassStrictLintWithTheProductionValues() {
        // Given the chart with values-production.yaml layered over values.yaml
        // When helm lint --strict runs
        LintResult result = HelmChart.lintStrict(Repository.productionValues());

        // Then it reports no error and no warning
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
        assertThat(result.getMessages()).noneMatch(message -> message.contains("[ERROR]") || message.contains("[WARNING]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void shouldRenderOnlyManifestsTheKubernetesApiModelsAccept(String values, HelmChart.Rendered rendered) {
        // Given helm template's output (every document was parsed strictly by the model of its kind on the way)
        // When the rendered kinds and names are listed
        List<String> rendered_ = rendered.manifests().stream().map(m -> m.kind() + "/" + m.name()).toList();

        // Then every workload, its Services, the shared configuration and the PDBs are there, each once
        assertThat(rendered_).doesNotHaveDuplicates().contains(
                "ConfigMap/streamfold-common",
                "Deployment/streamfold-ingest", "Service/streamfold-ingest",
                "Deployment/streamfold-reconciliation", "Service/streamfold-reconciliation",
                "StatefulSet/streamfold-enrichment", "Service/streamfold-enrichment-headless",
                "PodDisruptionBudget/streamfold-enrichment",
                "StatefulSet/streamfold-aggregation", "Service/streamfold-aggregation-headless",
                "PodDisruptionBudget/streamfold-aggregation",
                "StatefulSet/streamfold-query", "Service/streamfold-query-headless", "Service/streamfold-query",
                "PodDisruptionBudget/streamfold-query");
        assertThat(rendered.manifests()).allSatisfy(manifest -> assertThat(manifest.model()).isNotNull());
    }

    @Test
    void shouldPrintTheFirstCommandsToRunAfterTheInstall() {
        // Given the chart with its default values
        // When helm install --dry-run prints its notes
        String notes = HelmChart.notes(null, Map.of());

        // Then they say how to reach the query API, read an aggregate and check health
        assertThat(notes)
                .contains("kubectl port-forward --namespace streamfold svc/streamfold-query 8080:8080")
                .contains("curl 'http://127.0.0.1:8080/api/v1/aggregates/category/books'")
                .contains("curl 'http://127.0.0.1:8080/actuator/health/readiness'")
                .doesNotContain("WARNING");
        // and they warn when replicated topics would accept writes acknowledged by a single broker
        assertThat(HelmChart.notes(null, Map.of("topics.replicationFactor", 3, "topics.minInsyncReplicas", 1)))
                .contains("WARNING: topics.replicationFactor is 3 but topics.minInsyncReplicas is 1");
    }

    @Test
    void shouldRejectAManifestWithAFieldTheApiDoesNotKnow() {
        // Given a Deployment with a misspelt field, and one without its required selector
        Map<String, Object> misspelt = Yaml.loadMap("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  replica: 1
                  selector: {matchLabels: {a: b}}
                  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: x, image: x}]}}
                """);
        Map<String, Object> noSelector = Yaml.loadMap("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: x, image: x}]}}
                """);

        // When they are parsed like rendered manifests
        // Then both are refused, naming the problem
        assertThatThrownBy(() -> KubernetesManifests.parse(misspelt)).hasMessageContaining("replica");
        assertThatThrownBy(() -> KubernetesManifests.parse(noSelector)).hasMessageContaining("selector");
    }

    @Test
    void shouldRejectAKindTheChecksDoNotKnow() {
        // Given a manifest of a kind the chart is not expected to render
        Map<String, Object> ingress = Yaml.loadMap("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: x}
                """);

        // When it is parsed
        // Then it fails: a new kind needs a model in KubernetesManifests first
        assertThatThrownBy(() -> KubernetesManifests.parse(ingress)).hasMessageContaining("Ingress");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void shouldSetOnlyRealConfigurationPropertiesOfEachService(String values, HelmChart.Rendered rendered) {
        // Given the shared ConfigMap and each service's container environment
        Map<String, String> common = rendered.get("ConfigMap", "streamfold-common", V1ConfigMap.class).getData();

        // When every variable a service gets (its own and the shared ones) is looked up among its properties
        // Then none is unknown
        workloads(rendered).forEach((component, pod) -> {
            List<String> names = new ArrayList<>(common.keySet());
            container(pod).getEnv().stream().map(V1EnvVar::getName).forEach(names::add);
            assertThat(ServiceConfiguration.ofComponent(component).unknown(names)).as(component).isEmpty();
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void shouldRenderEveryPlainEnvironmentValueAsAString(String values, HelmChart.Rendered rendered) {
        // Given the raw rendered YAML (the models would accept a number where Kubernetes wants a string)
        // When every env entry with a value and every ConfigMap value is read
        // Then each is a YAML string
        for (KubernetesManifests.Manifest manifest : rendered.manifests()) {
            if (manifest.kind().equals("ConfigMap")) {
                ((Map<?, ?>) manifest.raw().get("data")).forEach((key, value) ->
                        assertThat(value).as(manifest.name() + " " + key).isInstanceOf(String.class));
            }
            if (Set.of("Deployment", "StatefulSet").contains(manifest.kind())) {
                List<?> containers = (List<?>) Yaml.at(manifest.raw(), "spec.template.spec.containers");
                for (Object container : containers) {
                    for (Object env : (List<?>) ((Map<?, ?>) container).get("env")) {
                        Map<?, ?> entry = (Map<?, ?>) env;
                        if (entry.containsKey("value")) {
                            assertThat(entry.get("value")).as(manifest.name() + " " + entry.get("name")).isInstanceOf(String.class);
                        }
                    }
                }
            }
        }
    }

    /** Each service's pod spec, by component name. */
    static Map<String, V1PodSpec> workloads(HelmChart.Rendered rendered) {
        Map<String, V1PodSpec> pods = new LinkedHashMap<>();
        for (KubernetesManifests.Manifest manifest : rendered.manifests()) {
            if (manifest.model() instanceof V1StatefulSet statefulSet) {
                pods.put(component(statefulSet.getMetadata().getLabels()), statefulSet.getSpec().getTemplate().getSpec());
            } else if (manifest.model() instanceof V1Deployment deployment) {
                pods.put(component(deployment.getMetadata().getLabels()), deployment.getSpec().getTemplate().getSpec());
            }
        }
        assertThat(pods).containsOnlyKeys(ServiceConfiguration.MODULES.keySet());
        return pods;
    }

    static V1Container container(V1PodSpec pod) {
        assertThat(pod.getContainers()).hasSize(1);
        return pod.getContainers().get(0);
    }

    private static String component(Map<String, String> labels) {
        return labels.get("app.kubernetes.io/component");
    }
}
