package dev.streamfold.query;

import dev.streamfold.common.config.AvroTrust;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Materialises the live aggregates of every configured dimension, and customers' lifetime totals, into local stores and serves them over REST. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class QueryServiceApplication {

    public static void main(String[] args) {
        AvroTrust.trustStreamfoldSchemas();
        SpringApplication.run(QueryServiceApplication.class, args);
    }
}
