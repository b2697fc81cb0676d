package dev.streamfold.reconciliation;

import dev.streamfold.common.config.AvroTrust;
import java.time.Clock;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

/**
 * Checks the aggregates of the dimension {@code total} (one figure per window) against SQL over the shop's orders and
 * publishes a verdict per window.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ReconciliationApplication {

    public static void main(String[] args) {
        AvroTrust.trustStreamfoldSchemas();
        SpringApplication.run(ReconciliationApplication.class, args);
    }

    /** Every batch reads "now" from here, so that windowing can be tested with fixed instants. */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
