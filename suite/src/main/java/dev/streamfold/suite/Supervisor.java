package dev.streamfold.suite;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restarts a service of the run that died by itself (a crash, the OOM killer, a SIGKILL from outside), as an
 * orchestrator would restart a pod, and says so. A service stopped on purpose ({@link RunningSuite#stop}) is left
 * alone. A service that dies again straight after a restart waits longer each time (1 s doubling to 1 min), so one
 * that cannot start does not keep the machine busy.
 */
final class Supervisor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);
    private static final Duration CHECK_EVERY = Duration.ofSeconds(1);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);
    /** Up this long after a restart, a service counts as healthy again: its next death restarts it at once. */
    private static final Duration STABLE = Duration.ofMinutes(2);

    private final RunningSuite suite;
    private final ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(
            runnable -> Thread.ofPlatform().name("suite-supervisor").daemon().unstarted(runnable));
    private final Map<Service, AtomicInteger> restarts = new ConcurrentHashMap<>();
    private final Map<Service, Backoff> backoffs = new EnumMap<>(Service.class);

    private Supervisor(RunningSuite suite) {
        this.suite = suite;
    }

    /** Starts watching the services of the run, once a second. */
    static Supervisor watch(RunningSuite suite) {
        Supervisor supervisor = new Supervisor(suite);
        supervisor.checker.scheduleWithFixedDelay(supervisor::restartTheDead, CHECK_EVERY.toMillis(), CHECK_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
        return supervisor;
    }

    /** How many times the service was restarted after dying. */
    int restarts(Service service) {
        return restarts.computeIfAbsent(service, s -> new AtomicInteger()).get();
    }

    private void restartTheDead() {
        suite.deadServices().forEach((service, howItEnded) -> {
            Backoff backoff = backoffs.computeIfAbsent(service, s -> new Backoff());
            if (Instant.now().isBefore(backoff.notBefore)) {
                return;
            }
            int restart = restarts.computeIfAbsent(service, s -> new AtomicInteger()).incrementAndGet();
            log.warn("{}-service died ({}): restarting it (restart {} of this run)", service.id(), howItEnded, restart);
            try {
                suite.start(service);
                log.info("{}-service is back and healthy after restart {}", service.id(), restart);
            } catch (RuntimeException e) {
                log.error("{}-service did not come back: {}", service.id(), e.getMessage());
            }
            backoff.afterRestart();
        });
    }

    /** Stops watching (before the run's services are stopped, so that their ends are not taken for deaths). */
    @Override
    public void close() {
        checker.shutdownNow();
        try {
            checker.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The pause before a service may be restarted again: grows while it keeps dying soon after its restarts. */
    private static final class Backoff {
        private Duration next = FIRST_BACKOFF;
        private Instant lastRestart = Instant.MIN;
        private Instant notBefore = Instant.MIN;

        void afterRestart() {
            Instant now = Instant.now();
            if (Duration.between(lastRestart, now).compareTo(STABLE) > 0) {
                next = FIRST_BACKOFF;
            }
            notBefore = now.plus(next);
            next = next.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : next.multipliedBy(2);
            lastRestart = now;
        }
    }
}
