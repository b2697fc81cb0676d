package dev.streamfold.deploy;

import static dev.streamfold.deploy.HelmChartTest.container;
import static dev.streamfold.deploy.HelmChartTest.workloads;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PodSecurityContext;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1SecretKeySelector;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What matters in the rendered workloads: state, singletons, probes, security, routing, secrets, scale. */
class HelmWorkloadsTest {

    private static final List<String> STREAMS = List.of("enrichment", "aggregation", "query");
    private static final String STATE_DIR = "/var/lib/streamfold";

    @Test
    void shouldKeepKafkaStreamsStateOnAPersistentVolumePerPod() {
        // Given the default rendering
        HelmChart.Rendered rendered = HelmChart.render();

        for (String component : STREAMS) {
            // When a Kafka Streams service's StatefulSet is read
            V1StatefulSet statefulSet = rendered.get("StatefulSet", "streamfold-" + component, V1StatefulSet.class);
            V1Container container = container(statefulSet.getSpec().getTemplate().getSpec());

            // Then a volume claim template is mounted at the state directory the service is told to use
            List<V1PersistentVolumeClaim> claims = statefulSet.getSpec().getVolumeClaimTemplates();
            assertThat(claims).as(component).hasSize(1);
            String claim = claims.get(0).getMetadata().getName();
            assertThat(claims.get(0).getSpec().getResources().getRequests()).containsKey("storage");
            assertThat(container.getVolumeMounts()).as(component)
                    .anySatisfy(mount -> {
                        assertThat(mount.getName()).isEqualTo(claim);
                        assertThat(mount.getMountPath()).isEqualTo(STATE_DIR);
                    });
            assertThat(value(container, component.toUpperCase() + "_STATE_DIR")).as(component).isEqualTo(STATE_DIR);
            // and the pods start in parallel, named through a headless Service
            assertThat(statefulSet.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
            String headless = statefulSet.getSpec().getServiceName();
            assertThat(headless).isEqualTo("streamfold-" + component + "-headless");
            V1Service service = rendered.get("Service", headless, V1Service.class);
            assertThat(service.getSpec().getClusterIP()).isEqualTo("None");
            assertThat(service.getSpec().getSelector()).isEqualTo(statefulSet.getSpec().getSelector().getMatchLabels());
            // and at most one pod at a time is taken away voluntarily
            V1PodDisruptionBudget budget = rendered.get("PodDisruptionBudget", "streamfold-" + component, V1PodDisruptionBudget.class);
            assertThat(budget.getSpec().getMaxUnavailable().getIntValue()).isEqualTo(1);
            assertThat(budget.getSpec().getSelector().getMatchLabels()).isEqualTo(statefulSet.getSpec().getSelector().getMatchLabels());
        }
    }

    @Test
    void shouldRunIngestAsOneReplicaReplacedByRecreate() {
        // Given the default rendering
        // When ingest's workload is read
        V1Deployment ingest = HelmChart.render().get("Deployment", "streamfold-ingest", V1Deployment.class);

        // Then it is a Deployment of one replica whose old pod stops before the new one starts
        assertThat(ingest.getSpec().getReplicas()).isEqualTo(1);
        assertThat(ingest.getSpec().getStrategy().getType()).isEqualTo("Recreate");
        assertThat(HelmChart.renderProduction().get("Deployment", "streamfold-ingest", V1Deployment.class)
                .getSpec().getReplicas()).isEqualTo(1);
    }

    @Test
    void shouldRefuseMoreThanOneIngestReplica() {
        // Given values asking for two ingest replicas
        // When the chart is rendered
        // Then Helm fails, saying why
        assertThatThrownBy(() -> HelmChart.template(null, Map.of("ingest.replicas", 2)))
                .hasMessageContaining("ingest.replicas is 2")
                .hasMessageContaining("replication slot");
    }

    @Test
    void shouldRunReconciliationAsASingleton() {
        // Given the default rendering
        // When reconciliation's workload is read
        V1Deployment reconciliation = HelmChart.render().get("Deployment", "streamfold-reconciliation", V1Deployment.class);

        // Then it is one replica replaced by Recreate, and more are refused
        assertThat(reconciliation.getSpec().getReplicas()).isEqualTo(1);
        assertThat(reconciliation.getSpec().getStrategy().getType()).isEqualTo("Recreate");
        assertThatThrownBy(() -> HelmChart.template(null, Map.of("reconciliation.replicas", 3)))
                .hasMessageContaining("reconciliation.replicas is 3");
    }

    @Test
    void shouldProbeTheActuatorHealthGroups() {
        // Given every service's container
        workloads(HelmChart.render()).forEach((component, pod) -> {
            V1Container container = container(pod);

            // When its probes are read
            // Then liveness and readiness are Actuator's groups, and startup waits on liveness
            assertProbe(container.getLivenessProbe(), "/actuator/health/liveness");
            assertProbe(container.getReadinessProbe(), "/actuator/health/readiness");
            assertProbe(container.getStartupProbe(), "/actuator/health/liveness");
            // and the Kafka Streams services may take ten minutes to start before liveness counts
            int startupSeconds = container.getStartupProbe().getPeriodSeconds() * container.getStartupProbe().getFailureThreshold();
            assertThat(startupSeconds).as(component).isGreaterThanOrEqualTo(STREAMS.contains(component) ? 600 : 300);
            assertThat(container.getPorts()).singleElement().satisfies(port -> {
                assertThat(port.getName()).isEqualTo("http");
                assertThat(String.valueOf(port.getContainerPort())).isEqualTo(value(container, "SERVER_PORT"));
            });
        });
    }

    @Test
    void shouldRunEveryPodAsNonRootWithAReadOnlyRootFilesystem() {
        // Given every service's pod
        workloads(HelmChart.render()).forEach((component, pod) -> {
            // When its security settings are read
            V1PodSecurityContext podSecurity = pod.getSecurityContext();
            V1SecurityContext security = container(pod).getSecurityContext();

            // Then it runs as uid 10001, unprivileged, on a read-only root filesystem, with a writable /tmp
            assertThat(podSecurity.getRunAsNonRoot()).as(component).isTrue();
            assertThat(podSecurity.getRunAsUser()).as(component).isEqualTo(10001L);
            assertThat(podSecurity.getFsGroup()).as(component).isEqualTo(10001L);
            assertThat(podSecurity.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
            assertThat(security.getRunAsNonRoot()).as(component).isTrue();
            assertThat(security.getReadOnlyRootFilesystem()).as(component).isTrue();
            assertThat(security.getAllowPrivilegeEscalation()).as(component).isFalse();
            assertThat(security.getCapabilities().getDrop()).as(component).containsExactly("ALL");
            assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
            assertThat(pod.getAutomountServiceAccountToken()).isFalse();
            V1VolumeMount tmp = container(pod).getVolumeMounts().stream()
                    .filter(mount -> mount.getMountPath().equals("/tmp")).findFirst().orElseThrow();
            assertThat(volume(pod, tmp.getName()).getEmptyDir()).as(component + " /tmp").isNotNull();
        });
    }

    @Test
    void shouldAdvertiseEachQueryPodByItsStableDnsName() {
        // Given the default rendering
        HelmChart.Rendered rendered = HelmChart.render();
        V1Container query = container(rendered.get("StatefulSet", "streamfold-query", V1StatefulSet.class)
                .getSpec().getTemplate().getSpec());

        // When the query container's environment is read
        List<String> names = query.getEnv().stream().map(V1EnvVar::getName).toList();

        // Then query.application-server is the pod's name under the headless Service, on the service port,
        // and POD_NAME (from the downward API) is defined before it, so Kubernetes expands it
        assertThat(value(query, "QUERY_APPLICATION_SERVER"))
                .isEqualTo("$(POD_NAME).streamfold-query-headless." + HelmChart.NAMESPACE + ".svc:8080");
        V1EnvVar podName = query.getEnv().get(names.indexOf("POD_NAME"));
        assertThat(podName.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
        assertThat(names.indexOf("POD_NAME")).isLessThan(names.indexOf("QUERY_APPLICATION_SERVER"));
        // and the REST API has a Service of its own
        V1Service api = rendered.get("Service", "streamfold-query", V1Service.class);
        assertThat(api.getSpec().getClusterIP()).isNull();
        assertThat(api.getSpec().getPorts()).singleElement().satisfies(port -> assertThat(port.getPort()).isEqualTo(8080));
        // and a cluster domain, when given, completes the name
        HelmChart.Rendered withDomain = HelmChart.render(Map.of("clusterDomain", "cluster.local"));
        assertThat(value(container(withDomain.get("StatefulSet", "streamfold-query", V1StatefulSet.class)
                .getSpec().getTemplate().getSpec()), "QUERY_APPLICATION_SERVER"))
                .isEqualTo("$(POD_NAME).streamfold-query-headless." + HelmChart.NAMESPACE + ".svc.cluster.local:8080");
    }

    @Test
    void shouldTakeTheDatabasePasswordFromTheChartsSecretByDefault() {
        // Given the default rendering (no existing Secret named)
        HelmChart.Rendered rendered = HelmChart.render();

        // When the database password variables are read
        V1SecretKeySelector ingest = secretRef(rendered, "ingest", "INGEST_DATABASE_PASSWORD");
        V1SecretKeySelector reconciliation = secretRef(rendered, "reconciliation", "SPRING_DATASOURCE_PASSWORD");

        // Then both come from the chart's Secret, which holds the key
        V1Secret secret = rendered.get("Secret", "streamfold-credentials", V1Secret.class);
        for (V1SecretKeySelector ref : List.of(ingest, reconciliation)) {
            assertThat(ref.getName()).isEqualTo("streamfold-credentials");
            assertThat(secret.getData()).containsKey(ref.getKey());
        }
        // and no Kafka credentials are set
        workloads(rendered).forEach((component, pod) -> assertThat(env(container(pod), "SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG"))
                .as(component).isEmpty());
    }

    @Test
    void shouldHonourExistingSecrets() {
        // Given the production values, which name existing Secrets for the database, SASL and TLS
        HelmChart.Rendered rendered = HelmChart.renderProduction();

        // When the credentials' references are read
        // Then they point at those Secrets and keys, and the chart creates no Secret of its own
        assertThat(secretRef(rendered, "ingest", "INGEST_DATABASE_PASSWORD"))
                .satisfies(ref -> assertThat(List.of(ref.getName(), ref.getKey())).containsExactly("streamfold-database", "password"));
        assertThat(secretRef(rendered, "reconciliation", "SPRING_DATASOURCE_PASSWORD"))
                .satisfies(ref -> assertThat(List.of(ref.getName(), ref.getKey())).containsExactly("streamfold-database", "password"));
        assertThat(rendered.ofKind("Secret")).isEmpty();
        workloads(rendered).forEach((component, pod) -> {
            V1SecretKeySelector jaas = secretRef(rendered, component, "SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG");
            assertThat(List.of(jaas.getName(), jaas.getKey())).as(component).containsExactly("streamfold-kafka", "sasl.jaas.config");
            V1SecretKeySelector truststorePassword = secretRef(rendered, component, "SPRING_KAFKA_SSL_TRUST_STORE_PASSWORD");
            assertThat(List.of(truststorePassword.getName(), truststorePassword.getKey())).as(component)
                    .containsExactly("streamfold-kafka-tls", "truststore.password");
            // and the TLS Secret is mounted read-only where the trust store location points
            V1VolumeMount tls = container(pod).getVolumeMounts().stream()
                    .filter(mount -> mount.getMountPath().equals("/etc/streamfold/kafka-tls")).findFirst().orElseThrow();
            assertThat(tls.getReadOnly()).isTrue();
            assertThat(volume(pod, tls.getName()).getSecret().getSecretName()).isEqualTo("streamfold-kafka-tls");
        });
        Map<String, String> common = rendered.get("ConfigMap", "streamfold-common", V1ConfigMap.class).getData();
        assertThat(common).containsEntry("SPRING_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
                .containsEntry("SPRING_KAFKA_PROPERTIES_SASL_MECHANISM", "SCRAM-SHA-512")
                .containsEntry("SPRING_KAFKA_SSL_TRUST_STORE_LOCATION", "file:/etc/streamfold/kafka-tls/truststore.p12")
                .containsEntry("SPRING_KAFKA_SSL_TRUST_STORE_TYPE", "PKCS12");
    }

    @Test
    void shouldPutTheSaslConfigurationGivenAsAValueIntoTheChartsSecret() {
        // Given a JAAS configuration given as a value
        HelmChart.Rendered rendered = HelmChart.render(Map.of("kafka.securityProtocol", "SASL_PLAINTEXT",
                "kafka.sasl.mechanism", "PLAIN", "kafka.sasl.jaasConfig", "jaas-line"));

        // When the services' references are read
        // Then it is stored in the chart's Secret and every service reads it from there
        V1Secret secret = rendered.get("Secret", "streamfold-credentials", V1Secret.class);
        workloads(rendered).keySet().forEach(component -> {
            V1SecretKeySelector ref = secretRef(rendered, component, "SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG");
            assertThat(ref.getName()).isEqualTo("streamfold-credentials");
            assertThat(new String(secret.getData().get(ref.getKey()))).isEqualTo("jaas-line");
        });
    }

    @Test
    void shouldAddTheUsersEnvironmentAndKafkaPropertiesAndCheckThemLikeTheChartsOwn() {
        // Given values adding a variable, an EnvVar from a Secret, a misspelt variable and a Kafka client setting
        HelmChart.Rendered rendered = HelmChart.render(Map.of(
                "enrichment.env.ENRICHMENT_MAX_REFERENCE_WAIT", "60s",
                "enrichment.env.ENRICHMENT_MAX_REFERENCE_WIAT", "60s",
                "enrichment.extraEnv[0].name", "ENRICHMENT_APPLICATION_ID",
                "enrichment.extraEnv[0].valueFrom.secretKeyRef.name", "ids",
                "enrichment.extraEnv[0].valueFrom.secretKeyRef.key", "enrichment",
                "kafka.properties.client\\.dns\\.lookup", "use_all_dns_ips"));

        // When the enrichment container and the shared configuration are read
        V1Container enrichment = container(rendered.get("StatefulSet", "streamfold-enrichment", V1StatefulSet.class)
                .getSpec().getTemplate().getSpec());
        Map<String, String> common = rendered.get("ConfigMap", "streamfold-common", V1ConfigMap.class).getData();

        // Then they are rendered as given
        assertThat(value(enrichment, "ENRICHMENT_MAX_REFERENCE_WAIT")).isEqualTo("60s");
        assertThat(secretRef(rendered, "enrichment", "ENRICHMENT_APPLICATION_ID").getName()).isEqualTo("ids");
        assertThat(common).containsEntry("SPRING_KAFKA_PROPERTIES_CLIENT_DNS_LOOKUP", "use_all_dns_ips");
        // and the property check finds the misspelt one, and only it
        List<String> names = new java.util.ArrayList<>(common.keySet());
        enrichment.getEnv().forEach(env -> names.add(env.getName()));
        assertThat(ServiceConfiguration.ofComponent("enrichment").unknown(names))
                .singleElement().asString().startsWith("ENRICHMENT_MAX_REFERENCE_WIAT");
    }

    @Test
    void shouldScaleTheStreamsServicesWithStandbyReplicasInProduction() {
        // Given the production values
        HelmChart.Rendered rendered = HelmChart.renderProduction();

        // When the Kafka Streams services and the shared topic settings are read
        // Then each runs three pods with one standby copy of its state, and topics are replicated 3x, 2 in sync
        for (String component : STREAMS) {
            V1StatefulSet statefulSet = rendered.get("StatefulSet", "streamfold-" + component, V1StatefulSet.class);
            assertThat(statefulSet.getSpec().getReplicas()).as(component).isEqualTo(3);
            assertThat(value(container(statefulSet.getSpec().getTemplate().getSpec()), "STREAMFOLD_STREAMS_NUM_STANDBY_REPLICAS"))
                    .as(component).isEqualTo("1");
        }
        Map<String, String> common = rendered.get("ConfigMap", "streamfold-common", V1ConfigMap.class).getData();
        assertThat(common).containsEntry("STREAMFOLD_TOPICS_REPLICATION_FACTOR", "3")
                .containsEntry("STREAMFOLD_TOPICS_MIN_INSYNC_REPLICAS", "2")
                .containsEntry("STREAMFOLD_TOPICS_DEAD_LETTER_RETENTION", "P3650D");
        assertThat(common.get("SPRING_KAFKA_BOOTSTRAP_SERVERS").split(",")).hasSize(3);
        // and the defaults are one pod, no standby
        assertThat(value(container(HelmChart.render().get("StatefulSet", "streamfold-enrichment", V1StatefulSet.class)
                .getSpec().getTemplate().getSpec()), "STREAMFOLD_STREAMS_NUM_STANDBY_REPLICAS")).isEqualTo("0");
    }

    @Test
    void shouldRenderTheServiceMonitorOnlyWhenEnabled() {
        // Given the default and the production rendering
        // When ServiceMonitors are looked for
        // Then there is none by default, and in production one that selects one Service per service
        assertThat(HelmChart.render().ofKind("ServiceMonitor")).isEmpty();
        HelmChart.Rendered production = HelmChart.renderProduction();
        assertThat(production.ofKind("ServiceMonitor")).singleElement().satisfies(monitor -> {
            assertThat(Yaml.at(monitor.raw(), "spec.endpoints")).asString().contains("/actuator/prometheus");
            Map<?, ?> selector = (Map<?, ?>) Yaml.at(monitor.raw(), "spec.selector.matchLabels");
            List<String> selected = production.ofKind("Service").stream()
                    .filter(service -> ((V1Service) service.model()).getMetadata().getLabels().entrySet()
                            .containsAll(selector.entrySet()))
                    .map(service -> ((V1Service) service.model()).getMetadata().getLabels().get("app.kubernetes.io/component"))
                    .toList();
            assertThat(selected).containsExactlyInAnyOrderElementsOf(ServiceConfiguration.MODULES.keySet());
        });
    }

    @Test
    void shouldUseTheChartsAppVersionAsTheImageTag() {
        // Given the chart's appVersion
        String appVersion = String.valueOf(Yaml.loadMap(Repository.chart().resolve("Chart.yaml")).get("appVersion"));

        // When each service's image is read
        // Then it is streamfold/<module>:<appVersion> on the default registry
        workloads(HelmChart.render()).forEach((component, pod) -> assertThat(container(pod).getImage())
                .isEqualTo("docker.io/streamfold/" + ServiceConfiguration.MODULES.get(component) + ":" + appVersion));
    }

    private static void assertProbe(V1Probe probe, String path) {
        assertThat(probe).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrValue()).isEqualTo("http");
    }

    private static Optional<V1EnvVar> env(V1Container container, String name) {
        return container.getEnv().stream().filter(env -> env.getName().equals(name)).findFirst();
    }

    private static String value(V1Container container, String name) {
        return env(container, name).map(V1EnvVar::getValue)
                .orElseThrow(() -> new AssertionError(container.getName() + " has no variable " + name));
    }

    private static V1SecretKeySelector secretRef(HelmChart.Rendered rendered, String component, String name) {
        V1PodSpec pod = workloads(rendered).get(component);
        return env(container(pod), name)
                .map(env -> env.getValueFrom() == null ? null : env.getValueFrom().getSecretKeyRef())
                .orElseThrow(() -> new AssertionError(component + " has no Secret reference " + name));
    }

    private static V1Volume volume(V1PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(volume -> volume.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }
}
