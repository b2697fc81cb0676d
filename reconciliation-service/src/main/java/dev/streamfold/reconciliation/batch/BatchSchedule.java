package dev.streamfold.reconciliation.batch;

import dev.streamfold.reconciliation.ReconciliationProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/**
 * Runs a micro-batch every {@code reconciliation.interval}, measured from the end of the previous one. The first
 * run waits one interval too, which gives the aggregate view time to re-read its topic after a start.
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class BatchSchedule implements SchedulingConfigurer {

    private static final Logger log = LoggerFactory.getLogger(BatchSchedule.class);

    private final ReconciliationBatch batch;
    private final ReconciliationProperties properties;

    BatchSchedule(ReconciliationBatch batch, ReconciliationProperties properties) {
        this.batch = batch;
        this.properties = properties;
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(new FixedDelayTask(this::runQuietly, properties.interval(), properties.interval()));
    }

    /** A failed batch (database or broker unreachable) is retried at the next tick; the schedule must survive it. */
    private void runQuietly() {
        try {
            batch.run();
        } catch (RuntimeException e) {
            log.warn("Reconciliation batch failed, retrying in {}", properties.interval(), e);
        }
    }
}
