package dev.streamfold.ingest;

import dev.streamfold.common.config.AvroTrust;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Captures the shop's PostgreSQL tables with Debezium and publishes them as Avro records to Kafka. */
@SpringBootApplication
public class IngestApplication {

    public static void main(String[] args) {
        AvroTrust.trustStreamfoldSchemas();
        SpringApplication.run(IngestApplication.class, args);
    }
}
