package dev.streamfold.ingest.capture;

import dev.streamfold.localstack.LocalStack;
import dev.streamfold.schemas.db.ShopDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;

/** A test's own capture on the local stack: its database, and a slot, publication and topic prefix named after it. */
final class CaptureTestProperties {

    private CaptureTestProperties() {
    }

    static void register(DynamicPropertyRegistry registry, LocalStack stack, ShopDatabase shop, String run) {
        registry.add("spring.kafka.bootstrap-servers", () -> stack.endpoints().bootstrapServers());
        registry.add("streamfold.registry.url", () -> stack.endpoints().registryUrl());
        registry.add("streamfold.topics.prefix", () -> run + ".");
        registry.add("streamfold.topics.replication-factor", () -> "1");
        registry.add("ingest.database.host", shop::host);
        registry.add("ingest.database.port", shop::port);
        registry.add("ingest.database.name", () -> run);
        registry.add("ingest.database.user", shop::user);
        registry.add("ingest.slot-name", () -> run);
        registry.add("ingest.publication-name", () -> run);
    }
}
