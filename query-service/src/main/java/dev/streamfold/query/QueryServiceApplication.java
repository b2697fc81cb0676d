package dev.streamfold.query;

import dev.streamfold.common.config.AvroTrust;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Materialises the category aggregates into a local window store and serves them over REST. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class QueryServiceApplication {

    public static void main(String[] args) {
        AvroTrust.trustStreamfoldSchemas();
        SpringApplication.run(QueryServiceApplication.class, args);
    }
}
