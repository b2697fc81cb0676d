package dev.streamfold.suite;

import java.util.ArrayList;
import java.util.List;

/** The command-line properties each service is started with: the contract documented in each module's README. */
final class ServiceArguments {

    private ServiceArguments() {
    }

    static List<String> of(Service service, SuiteSettings settings) {
        List<String> args = new ArrayList<>(List.of(
                "--server.address=127.0.0.1",
                "--server.port=" + settings.port(service),
                "--spring.kafka.bootstrap-servers=" + settings.bootstrapServers(),
                "--streamfold.registry.url=" + settings.registryUrl(),
                "--streamfold.topics.prefix=" + settings.topicPrefix(),
                "--streamfold.topics.replication-factor=1"));
        String applicationId = settings.instanceName() + "-" + service.id();
        String stateDir = settings.workDir().resolve(service.id()).resolve("state").toString();
        SuiteSettings.Database db = settings.database();
        switch (service) {
            case INGEST -> args.addAll(List.of(
                    "--ingest.database.host=" + db.host(),
                    "--ingest.database.port=" + db.port(),
                    "--ingest.database.name=" + db.name(),
                    "--ingest.database.user=" + db.user(),
                    "--ingest.database.password=" + db.password(),
                    "--ingest.slot-name=" + settings.instanceName().replaceAll("[^a-z0-9_]", "_"),
                    "--ingest.publication-name=" + settings.instanceName().replaceAll("[^a-z0-9_]", "_")));
            case ENRICHMENT, AGGREGATION, QUERY -> args.addAll(List.of(
                    "--" + service.id() + ".application-id=" + applicationId,
                    "--" + service.id() + ".state-dir=" + stateDir));
            case RECONCILIATION -> args.addAll(List.of(
                    "--spring.datasource.url=" + db.jdbcUrl(),
                    "--spring.datasource.username=" + db.user(),
                    "--spring.datasource.password=" + db.password(),
                    "--reconciliation.application-id=" + applicationId,
                    "--reconciliation.interval=" + settings.reconciliationInterval()));
        }
        args.addAll(settings.extraArguments(service));
        return args;
    }
}
