package dev.streamfold.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.LintResult;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard and the Prometheus alert rules the chart ships: sound JSON and rule files, PromQL naming only
 * metrics the services export, the chart's ConfigMap and PrometheusRule rendered only when asked for, and the
 * PrometheusRule the same rules as the stand-alone file.
 */
class MonitoringTest {

    /**
     * The metric contract: the Prometheus names of what the services export (Micrometer, /actuator/prometheus), what
     * Prometheus adds (up) and kube-state-metrics' restarts. An expression naming anything else is a misspelling or a
     * metric nobody exports, and would show an empty panel or an alert that never fires.
     */
    static final Set<String> METRICS = Set.of(
            "streamfold_records_total",
            "streamfold_stage_latency_seconds_bucket",
            "streamfold_stage_latency_seconds_count",
            "streamfold_stage_latency_seconds_sum",
            "streamfold_stage_latency_seconds_max",
            "streamfold_capture_slot_lag_bytes",
            "streamfold_capture_last_change_age_seconds",
            "streamfold_capture_restarts_total",
            "streamfold_stream_thread_failures_total",
            "streamfold_reconciliation_reports_published_total",
            "kafka_consumer_fetch_manager_records_lag_max",
            "kafka_producer_record_error_total",
            "process_uptime_seconds",
            "jvm_memory_used_bytes",
            "up",
            "kube_pod_container_status_restarts_total");

    /** The values the contract gives the labels the expressions compare. */
    static final Map<String, Set<String>> LABEL_VALUES = Map.of(
            "outcome", Set.of("received", "forwarded", "dead-lettered", "late", "duplicate"),
            "clock", Set.of("event", "ingest"),
            "status", Set.of("MATCH", "MISMATCH"));

    static final List<String> ALERTS = List.of("StreamfoldConsumerLagHigh", "StreamfoldEndToEndLatencyHigh",
            "StreamfoldDeadLettersGrowing", "StreamfoldLateRecords", "StreamfoldReconciliationMismatch",
            "StreamfoldReplicationSlotLagHigh", "StreamfoldCaptureStalled", "StreamfoldRestarting",
            "StreamfoldServiceDown");

    private static final Map<String, Object> MONITORING_ON = Map.of(
            "monitoring.dashboards.enabled", true,
            "monitoring.prometheusRule.enabled", true);
    private static final Pattern LABEL_VALUES_QUERY = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][\\w:]*)");
    private static final Pattern QUANTILE_BY_LE = Pattern.compile("histogram_quantile\\([^,]+,\\s*\\w+ by \\([^)]*\\ble\\b");

    @Test
    void shouldShipADashboardGrafanaCanLoad() {
        // Given the dashboard file, read strictly (a duplicate key or trailing text is an error)
        JsonNode dashboard = dashboard();

        // When its settings, variables and panels are read
        List<JsonNode> panels = panels(dashboard);

        // Then it has a schema version Grafana 10.4+ writes, a uid, and its data source as a Prometheus variable
        assertThat(dashboard.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(39);
        assertThat(dashboard.path("uid").asText()).isEqualTo("streamfold");
        assertThat(dashboard.path("title").asText()).isNotBlank();
        assertThat(dashboard.path("templating").path("list")).anySatisfy(variable -> {
            assertThat(variable.path("name").asText()).isEqualTo("datasource");
            assertThat(variable.path("type").asText()).isEqualTo("datasource");
            assertThat(variable.path("query").asText()).isEqualTo("prometheus");
        });
        // and every panel has its own id and fits the 24-column grid
        assertThat(panels).extracting(panel -> panel.path("id").asInt()).doesNotHaveDuplicates().allMatch(id -> id > 0);
        assertThat(panels).allSatisfy(panel -> {
            JsonNode position = panel.path("gridPos");
            assertThat(position.path("x").asInt() + position.path("w").asInt()).as(title(panel)).isBetween(1, 24);
            assertThat(position.path("h").asInt()).as(title(panel)).isPositive();
        });
        // and every panel but the row headers has a title, a description, the variable data source and queries
        assertThat(panels).filteredOn(panel -> !isRow(panel)).hasSizeGreaterThan(20).allSatisfy(panel -> {
            assertThat(panel.path("title").asText()).isNotBlank();
            assertThat(panel.path("description").asText()).as(title(panel)).isNotBlank();
            assertThat(panel.path("datasource").path("uid").asText()).as(title(panel)).isEqualTo("${datasource}");
            JsonNode targets = panel.path("targets");
            assertThat(targets.isArray() && !targets.isEmpty()).as(title(panel) + " has targets").isTrue();
            List<String> refIds = new ArrayList<>();
            targets.forEach(target -> {
                assertThat(target.path("expr").asText()).as(title(panel)).isNotBlank();
                refIds.add(target.path("refId").asText());
            });
            assertThat(refIds).as(title(panel)).doesNotHaveDuplicates().doesNotContain("");
        });
    }

    @Test
    void shouldShowEveryPartOfThePipelineOnTheDashboard() {
        // Given the metrics the dashboard's panels query
        Set<String> used = new HashSet<>();
        dashboardExpressions().values().forEach(expr -> used.addAll(PromQl.metricNames(expr)));

        // When they are compared with the contract
        // Then every metric is on a panel (up only feeds StreamfoldServiceDown: the panels count reporting instances)
        Set<String> missing = new TreeSet<>(METRICS);
        missing.removeAll(used);
        assertThat(missing).containsExactly("up");
        // and the latency panels show p50, p95 and p99 for both clocks
        List<String> quantiles = dashboardExpressions().values().stream()
                .filter(expr -> expr.startsWith("histogram_quantile(")).toList();
        for (String clock : List.of("event", "ingest")) {
            for (String quantile : List.of("0.5", "0.95", "0.99")) {
                assertThat(quantiles).as(clock + " " + quantile).anyMatch(expr ->
                        expr.startsWith("histogram_quantile(" + quantile + ",") && expr.contains("clock=\"" + clock + "\""));
            }
        }
    }

    @Test
    void shouldNameOnlyMetricsFunctionsAndLabelValuesOfTheContract() {
        // Given every PromQL expression shipped: the dashboard's panels and variables, and the alert rules
        Map<String, String> expressions = allExpressions();

        // When the metrics, functions and compared label values each names are looked up
        // Then every one is known
        assertThat(expressions).hasSizeGreaterThan(30);
        expressions.forEach((where, expr) -> {
            assertThat(unknownMetrics(expr)).as(where + ": metrics not in the contract in " + expr).isEmpty();
            assertThat(unknownFunctions(expr)).as(where + ": unknown functions in " + expr).isEmpty();
            assertThat(unknownLabelValues(expr)).as(where + ": label values not in the contract in " + expr).isEmpty();
        });
        // and the dashboard's variables query Streamfold's own metrics
        dashboard().path("templating").path("list").forEach(variable -> {
            if (variable.path("type").asText().equals("query")) {
                Matcher query = LABEL_VALUES_QUERY.matcher(variable.path("query").path("query").asText());
                assertThat(query.find()).as(variable.path("name").asText()).isTrue();
                assertThat(METRICS).contains(query.group(1));
            }
        });
    }

    @Test
    void shouldWriteEveryExpressionWithBalancedBracketsAndQuotes() {
        // Given every PromQL expression shipped
        // When the pairing of its brackets and quotes is checked
        // Then nothing is left open or closed twice
        allExpressions().forEach((where, expr) -> assertThat(PromQl.unbalanced(expr)).as(where + ": " + expr).isEmpty());
        // and every quantile is taken over buckets kept apart by le (without it histogram_quantile returns nothing)
        allExpressions().forEach((where, expr) -> {
            if (expr.contains("histogram_quantile")) {
                assertThat(expr).as(where).contains("_bucket").containsPattern(QUANTILE_BY_LE);
            }
        });
    }

    @Test
    void shouldCatchAMisspeltMetricOrFunctionAndAnUnbalancedExpression() {
        // Given expressions with a misspelt metric, a misspelt function, an unknown outcome, a missing parenthesis
        // and an unclosed quote
        String misspeltMetric = "sum by (stage) (rate(streamfold_record_total{outcome=\"received\"}[5m]))";
        String misspeltFunction = "histogram_quantil(0.99, sum by (le) (rate(streamfold_stage_latency_seconds_bucket[5m])))";
        String unknownOutcome = "sum(rate(streamfold_records_total{outcome=\"dropped\"}[5m]))";
        String missingParenthesis = "sum(rate(streamfold_records_total[5m])";
        String unclosedQuote = "streamfold_records_total{outcome=\"late}";

        // When they are checked like the shipped ones
        // Then each problem is found, and a well-formed expression passes
        assertThat(unknownMetrics(misspeltMetric)).containsExactly("streamfold_record_total");
        assertThat(unknownFunctions(misspeltFunction)).containsExactly("histogram_quantil");
        assertThat(unknownLabelValues(unknownOutcome)).containsExactly("outcome=dropped");
        assertThat(PromQl.unbalanced(missingParenthesis)).isPresent();
        assertThat(PromQl.unbalanced(unclosedQuote)).isPresent();
        assertThat(PromQl.unbalanced("sum by (a) (rate(x{a=\"(}\"}[5m])) > 1e9")).isEmpty();
        assertThat(PromQl.metricNames("(x unless x offset 15m) or increase(y[15m]) > 1.5e+09 and on (a) z"))
                .containsExactly("x", "y", "z");
    }

    @Test
    void shouldDefineEveryAlertWithAnExpressionADelayASeverityAndASummary() {
        // Given the stand-alone rules file
        Object groups = rulesFile().get("groups");

        // When it is checked as Prometheus loads a rules file
        PrometheusRules.checkGroups("alerts/streamfold-rules.yaml", groups);
        List<Map<?, ?>> alerts = PrometheusRules.alerts(groups);

        // Then it holds every alert the README documents
        assertThat(alerts).extracting(alert -> (String) alert.get("alert")).containsAll(ALERTS);
        // and each fires after a stated delay, with a known severity, a summary, a description and what to do
        assertThat(alerts).allSatisfy(alert -> {
            String name = (String) alert.get("alert");
            assertThat(alert.get("for")).as(name).isInstanceOf(String.class);
            assertThat(Yaml.at(map(alert), "labels.severity")).as(name).isIn("warning", "critical");
            for (String annotation : List.of("summary", "description", "runbook")) {
                Object text = Yaml.at(map(alert), "annotations." + annotation);
                assertThat(text).as(name + " " + annotation).isInstanceOf(String.class);
                // Prometheus' templates in the text: every {{ closed, or the rule file fails to load
                assertThat(count((String) text, "{{")).as(name + " " + annotation).isEqualTo(count((String) text, "}}"));
            }
        });
    }

    @Test
    void shouldRenderNoMonitoringObjectsByDefaultAndBothInTheProductionExample() {
        // Given the default values (monitoring off)
        HelmChart.Rendered rendered = HelmChart.render();

        // When the PrometheusRules and the dashboard ConfigMap are looked for
        // Then there are none
        assertThat(rendered.ofKind("PrometheusRule")).isEmpty();
        assertThat(rendered.has("ConfigMap", "streamfold-dashboards")).isFalse();
        // ...while values-production.yaml, written for a cluster with the Prometheus Operator, renders both
        HelmChart.Rendered production = HelmChart.renderProduction();
        assertThat(production.ofKind("PrometheusRule")).hasSize(1);
        assertThat(production.has("ConfigMap", "streamfold-dashboards")).isTrue();
    }

    @Test
    void shouldRenderTheDashboardForGrafanasSidecar() throws IOException {
        // Given the dashboards enabled, and then another sidecar label, Grafana's namespace and a folder annotation
        HelmChart.Rendered defaults = HelmChart.render(MONITORING_ON);
        HelmChart.Rendered custom = HelmChart.render(Map.of("monitoring.dashboards.enabled", true,
                "monitoring.dashboards.label", "grafana_dashboard_streamfold", "monitoring.dashboards.labelValue", "yes",
                "monitoring.dashboards.namespace", "grafana",
                "monitoring.dashboards.annotations.grafana_folder", "Streamfold"));

        // When the dashboard ConfigMap is read
        V1ConfigMap configMap = defaults.get("ConfigMap", "streamfold-dashboards", V1ConfigMap.class);
        V1ConfigMap customMap = custom.get("ConfigMap", "streamfold-dashboards", V1ConfigMap.class);

        // Then it carries the dashboard file unchanged, labelled for the sidecar
        String file = Files.readString(dashboardFile());
        assertThat(configMap.getData()).containsOnlyKeys("streamfold.json");
        assertThat(configMap.getData().get("streamfold.json")).isEqualTo(file.strip());
        assertThat(json(configMap.getData().get("streamfold.json"))).isEqualTo(dashboard());
        assertThat(configMap.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1")
                .containsEntry("app.kubernetes.io/instance", HelmChart.RELEASE);
        assertThat(configMap.getMetadata().getNamespace()).isNull();
        // and the label, the namespace and the annotations are the values'
        assertThat(customMap.getMetadata().getLabels()).containsEntry("grafana_dashboard_streamfold", "yes")
                .doesNotContainKey("grafana_dashboard");
        assertThat(customMap.getMetadata().getNamespace()).isEqualTo("grafana");
        assertThat(customMap.getMetadata().getAnnotations()).containsEntry("grafana_folder", "Streamfold");
        assertThat(custom.ofKind("PrometheusRule")).isEmpty();
    }

    @Test
    void shouldRenderThePrometheusRuleWithTheGroupsOfTheStandAloneFile() {
        // Given the PrometheusRule enabled with the default thresholds
        HelmChart.Rendered rendered = HelmChart.render(MONITORING_ON);

        // When its groups are read (the manifest was checked on the way like a rules file)
        KubernetesManifests.Manifest rule = rendered.ofKind("PrometheusRule").stream().findFirst()
                .orElseThrow(() -> new AssertionError("no PrometheusRule rendered"));

        // Then they are exactly those of alerts/streamfold-rules.yaml: the two cannot drift apart
        assertThat(rule.name()).isEqualTo("streamfold");
        assertThat(Yaml.at(rule.raw(), "spec.groups")).isEqualTo(rulesFile().get("groups"));
        assertThat(rendered.ofKind("PrometheusRule")).hasSize(1);
        // and it carries the chart's labels and the values' extra ones (the operator selects rules by label)
        assertThat(Yaml.at(HelmChart.render(Map.of("monitoring.prometheusRule.enabled", true,
                "monitoring.prometheusRule.labels.release", "prometheus")).ofKind("PrometheusRule").get(0).raw(),
                "metadata.labels")).asInstanceOf(InstanceOfAssertFactories.MAP)
                .containsEntry("release", "prometheus").containsEntry("app.kubernetes.io/part-of", "streamfold");
    }

    @Test
    void shouldTakeTheAlertThresholdsFromTheValues() {
        // Given other thresholds: a whole number, one beyond 2^31, and a fraction as --set passes it (a string)
        HelmChart.Rendered rendered = HelmChart.render(Map.of("monitoring.prometheusRule.enabled", true,
                "monitoring.alerts.consumerLag", 500,
                "monitoring.alerts.slotLagBytes", 4294967296L,
                "monitoring.alerts.latencySeconds", "2.5"));

        // When the alerts' expressions are read
        Map<String, String> expressions = new LinkedHashMap<>();
        PrometheusRules.alerts(Yaml.at(rendered.ofKind("PrometheusRule").get(0).raw(), "spec.groups"))
                .forEach(alert -> expressions.putIfAbsent((String) alert.get("alert"), (String) alert.get("expr")));

        // Then each compares with its value, written as PromQL reads numbers
        assertThat(expressions.get("StreamfoldConsumerLagHigh")).endsWith("> 500");
        assertThat(expressions.get("StreamfoldReplicationSlotLagHigh")).endsWith("> 4294967296");
        assertThat(expressions.get("StreamfoldEndToEndLatencyHigh")).endsWith("> 2.5");
        // and a threshold that is no number fails the rendering, naming it
        assertThatThrownBy(() -> HelmChart.template(null, Map.of("monitoring.prometheusRule.enabled", true,
                "monitoring.alerts.captureStalledSeconds", "5m")))
                .hasMessageContaining("monitoring.alerts.captureStalledSeconds must be a non-negative number");
    }

    @Test
    void shouldPassStrictLintWithMonitoringEnabled(@TempDir Path directory) throws IOException {
        // Given values enabling the ServiceMonitor, the dashboard and the PrometheusRule
        Path values = directory.resolve("monitoring.yaml");
        Files.writeString(values, """
                monitoring:
                  serviceMonitor:
                    enabled: true
                  dashboards:
                    enabled: true
                  prometheusRule:
                    enabled: true
                    labels:
                      release: prometheus
                """);

        // When helm lint --strict runs with them
        LintResult result = HelmChart.lintStrict(values);

        // Then it reports no error and no warning
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
        assertThat(result.getMessages()).noneMatch(message -> message.contains("[ERROR]") || message.contains("[WARNING]"));
    }

    @Test
    void shouldSayInTheNotesWhereTheDashboardAndTheAlertsAre() {
        // Given the chart with monitoring enabled, and with its defaults
        // When helm install --dry-run prints the notes
        String notes = HelmChart.notes(null, MONITORING_ON);

        // Then they name the ConfigMap, its sidecar label and the PrometheusRule, and say the services need scraping
        assertThat(notes)
                .contains("Grafana dashboard \"Streamfold\" in ConfigMap streamfold-dashboards (namespace streamfold),"
                        + " labelled grafana_dashboard=1")
                .contains("Alert rules in PrometheusRule streamfold")
                .contains("monitoring.serviceMonitor.enabled is false");
        assertThat(HelmChart.notes(null, Map.of())).doesNotContain("Monitoring");
    }

    @Test
    void shouldRejectAPrometheusRuleWithAFieldPrometheusDoesNotKnow() {
        // Given PrometheusRules with a misspelt rule field, with a rule without expression, and with a bad duration
        Map<String, Object> misspelt = Yaml.loadMap("""
                apiVersion: monitoring.coreos.com/v1
                kind: PrometheusRule
                metadata: {name: x}
                spec:
                  groups:
                    - name: g
                      rules:
                        - {alert: A, expression: up == 0}
                """);
        Map<String, Object> noExpr = Yaml.loadMap("""
                apiVersion: monitoring.coreos.com/v1
                kind: PrometheusRule
                metadata: {name: x}
                spec:
                  groups:
                    - {name: g, rules: [{alert: A, for: 5m}]}
                """);
        Map<String, Object> badDuration = Yaml.loadMap("""
                apiVersion: monitoring.coreos.com/v1
                kind: PrometheusRule
                metadata: {name: x}
                spec:
                  groups:
                    - {name: g, rules: [{alert: A, expr: up == 0, for: 5 minutes}]}
                """);

        // When they are parsed like rendered manifests
        // Then each is refused, naming the problem
        assertThatThrownBy(() -> KubernetesManifests.parse(misspelt)).hasMessageContaining("expression");
        assertThatThrownBy(() -> KubernetesManifests.parse(noExpr)).hasMessageContaining("expr");
        assertThatThrownBy(() -> KubernetesManifests.parse(badDuration)).hasMessageContaining("5 minutes");
    }

    /** Metrics an expression names that the contract does not have. */
    static Set<String> unknownMetrics(String expr) {
        Set<String> unknown = new LinkedHashSet<>(PromQl.metricNames(expr));
        unknown.removeAll(METRICS);
        return unknown;
    }

    static Set<String> unknownFunctions(String expr) {
        Set<String> unknown = new LinkedHashSet<>(PromQl.functions(expr));
        unknown.removeAll(PromQl.FUNCTIONS);
        return unknown;
    }

    /** label=value pairs whose value the contract does not give that label. */
    static List<String> unknownLabelValues(String expr) {
        return PromQl.labelValues(expr).stream()
                .filter(entry -> LABEL_VALUES.containsKey(entry.getKey())
                        && !LABEL_VALUES.get(entry.getKey()).contains(entry.getValue()))
                .map(entry -> entry.getKey() + "=" + entry.getValue())
                .toList();
    }

    /** Every expression shipped, by where it is: dashboard panels and the rules file. */
    private static Map<String, String> allExpressions() {
        Map<String, String> expressions = new LinkedHashMap<>(dashboardExpressions());
        List<Map<?, ?>> alerts = PrometheusRules.alerts(rulesFile().get("groups"));
        for (int i = 0; i < alerts.size(); i++) {
            expressions.put("rule " + i + " " + alerts.get(i).get("alert"), (String) alerts.get(i).get("expr"));
        }
        return expressions;
    }

    /** Every panel query, by panel title and refId. */
    private static Map<String, String> dashboardExpressions() {
        Map<String, String> expressions = new LinkedHashMap<>();
        for (JsonNode panel : panels(dashboard())) {
            panel.path("targets").forEach(target -> expressions.put(
                    "panel '" + title(panel) + "' " + target.path("refId").asText(), target.path("expr").asText()));
        }
        return expressions;
    }

    /** The panels, those inside collapsed rows included. */
    private static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(panel -> {
            panels.add(panel);
            panel.path("panels").forEach(panels::add);
        });
        return panels;
    }

    private static boolean isRow(JsonNode panel) {
        return panel.path("type").asText().equals("row");
    }

    private static String title(JsonNode panel) {
        return panel.path("title").asText();
    }

    private static Path dashboardFile() {
        return Repository.chart().resolve("dashboards").resolve("streamfold.json");
    }

    private static JsonNode dashboard() {
        return json(Yaml.read(dashboardFile()));
    }

    private static JsonNode json(String text) {
        ObjectMapper mapper = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        try {
            return mapper.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> rulesFile() {
        return Yaml.loadMap(Repository.chart().resolve("alerts").resolve("streamfold-rules.yaml"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    private static int count(String text, String part) {
        return text.split(Pattern.quote(part), -1).length - 1;
    }
}
