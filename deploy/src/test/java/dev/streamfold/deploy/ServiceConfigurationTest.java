package dev.streamfold.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The catalogue of each service's configuration properties that the chart and compose checks rely on. */
class ServiceConfigurationTest {

    @Test
    void shouldBindTheStateDirectoryOfEachStreamsServiceInBothEnvironmentForms() {
        // Given the enrichment, aggregation and query services' configuration
        // When their state directory variables are looked up
        // Then Spring's form and the legacy underscore form both bind
        for (String component : List.of("enrichment", "aggregation", "query")) {
            ServiceConfiguration configuration = ServiceConfiguration.ofComponent(component);
            String upper = component.toUpperCase();
            assertThat(configuration.properties()).contains(component + ".state-dir");
            assertThat(configuration.binds(upper + "_STATE_DIR")).as(upper + "_STATE_DIR").isTrue();
            assertThat(configuration.binds(upper + "_STATEDIR")).as(upper + "_STATEDIR").isTrue();
        }
    }

    @Test
    void shouldRejectAMisspeltProperty() {
        // Given enrichment-service's configuration
        ServiceConfiguration enrichment = ServiceConfiguration.of("enrichment-service");

        // When a misspelt key and another service's key are checked
        List<String> unknown = enrichment.unknown(List.of("ENRICHMENT_STAT_DIR", "QUERY_STATE_DIR", "ENRICHMENT_STATE_DIR"));

        // Then both are reported, the misspelling with the property it was probably meant to be
        assertThat(unknown).hasSize(2);
        assertThat(unknown.get(0)).startsWith("ENRICHMENT_STAT_DIR").contains("ENRICHMENT_STATE_DIR");
        assertThat(unknown.get(1)).startsWith("QUERY_STATE_DIR");
    }

    @Test
    void shouldReadNestedRecordsOfTheSharedProperties() {
        // Given any service (each binds common's StreamfoldProperties)
        ServiceConfiguration ingest = ServiceConfiguration.of("ingest-service");

        // When the shared properties are listed
        // Then the nested records' components are there, under their group's name
        assertThat(ingest.properties()).contains(
                "streamfold.registry.url",
                "streamfold.topics.prefix",
                "streamfold.topics.replication-factor",
                "streamfold.orders.max-event-time-ahead",
                "ingest.database.password",
                "ingest.slot-name");
        assertThat(ingest.binds("INGEST_DATABASE_PASSWORD")).isTrue();
        assertThat(ingest.binds("INGEST_DATABASE_PASSWD")).isFalse();
    }

    @Test
    void shouldBindSpringBootPropertiesAndKeysOfItsMapProperties() {
        // Given query-service's configuration
        ServiceConfiguration query = ServiceConfiguration.of("query-service");

        // When Spring Boot's own properties are checked
        // Then documented ones bind, keys below a map property bind, misspelt ones do not
        assertThat(query.binds("SPRING_KAFKA_BOOTSTRAP_SERVERS")).isTrue();
        assertThat(query.binds("SPRING_KAFKA_SECURITY_PROTOCOL")).isTrue();
        assertThat(query.binds("SPRING_KAFKA_SSL_TRUST_STORE_LOCATION")).isTrue();
        assertThat(query.binds("SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG")).isTrue();
        assertThat(query.binds("SERVER_PORT")).isTrue();
        assertThat(query.binds("LOGGING_LEVEL_DEV_STREAMFOLD")).isTrue();
        assertThat(query.binds("SPRING_KAFKA_BOOTSTRAP_SERVER")).isFalse();
        assertThat(query.binds("SPRING_KAFKA_PROPERTIES")).isFalse();
        assertThat(query.binds("server_port")).isFalse();
    }

    @Test
    void shouldReadRecordComponentsWhateverTheirAnnotations() {
        // Given a record whose components carry annotations with strings, commas and parentheses, and comments
        String source = ConfigurationPropertiesSources.stripComments("""
                package x;
                /** @param a (a comment, with a record Fake(int nope) inside) */
                @Validated
                @ConfigurationProperties(prefix = "demo")
                public record DemoProperties(
                        @Pattern(regexp = "[a-z(]{1,63}", message = "a, b (c)") String slotName, // trailing comment
                        @DefaultValue("P1D") @NotNull Duration maxWait,
                        Map<String, Duration> limits,
                        @Valid Nested nested) {
                    public record Nested(@Min(1) int numStandbyReplicas) {
                    }
                }
                """);

        // When its bindings and records are read
        // Then the prefix, the components and the nested record are found
        assertThat(ConfigurationPropertiesSources.bindings(Path.of("DemoProperties.java"), source))
                .containsEntry("demo", "DemoProperties");
        assertThat(ConfigurationPropertiesSources.records(source))
                .extracting(ConfigurationPropertiesSources.RecordDeclaration::name)
                .containsExactly("DemoProperties", "Nested");
        assertThat(ConfigurationPropertiesSources.records(source).get(0).components())
                .extracting(ConfigurationPropertiesSources.Component::name)
                .containsExactly("slotName", "maxWait", "limits", "nested");
        assertThat(ConfigurationPropertiesSources.kebabCase("numStandbyReplicas")).isEqualTo("num-standby-replicas");
    }

    @Test
    void shouldRefuseConfigurationPropertiesOnSomethingOtherThanARecord() {
        // Given @ConfigurationProperties on a @Bean method, which the source reader cannot follow
        String source = """
                @Bean
                @ConfigurationProperties("spring.datasource.hikari")
                HikariDataSource dataSource() { return null; }
                """;

        // When it is read
        // Then it fails loudly rather than skip those properties
        assertThatThrownBy(() -> ConfigurationPropertiesSources.bindings(Path.of("Config.java"), source))
                .hasMessageContaining("other than a record");
    }
}
