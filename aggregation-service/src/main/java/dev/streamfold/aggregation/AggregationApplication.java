package dev.streamfold.aggregation;

import dev.streamfold.common.config.AvroTrust;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** Exactly-once, event-time windowed order counts and revenue per product category. */
@SpringBootApplication
@EnableConfigurationProperties(AggregationProperties.class)
public class AggregationApplication {

    public static void main(String[] args) {
        AvroTrust.trustStreamfoldSchemas();
        SpringApplication.run(AggregationApplication.class, args);
    }
}
