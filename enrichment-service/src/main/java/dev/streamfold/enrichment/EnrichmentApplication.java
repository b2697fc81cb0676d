package dev.streamfold.enrichment;

import dev.streamfold.common.config.AvroTrust;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Joins orders with their customer and product into {@code orders.enriched}. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class EnrichmentApplication {

    public static void main(String[] args) {
        AvroTrust.trustStreamfoldSchemas();
        SpringApplication.run(EnrichmentApplication.class, args);
    }
}
