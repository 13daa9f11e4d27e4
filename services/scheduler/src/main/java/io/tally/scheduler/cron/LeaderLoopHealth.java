package io.tally.scheduler.cron;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tally.scheduler.SchedulerProperties;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Counts the leader loop's consecutive failures and turns them into the {@code schedulerLeader} health contributor
 * (in the liveness group) and two meters. A replica whose loop keeps failing holds the leadership partition without
 * firing, so it must not look healthy: after {@code tally.scheduler.recovery.liveness-failures} failures in a row it
 * reports DOWN and Kubernetes restarts it, which also hands leadership to another replica.
 */
@Component(LeaderLoopHealth.BEAN_NAME)
public class LeaderLoopHealth implements HealthIndicator {

    /** Bean name; Spring Boot names the health contributor after it without the suffix: {@code schedulerLeader}. */
    static final String BEAN_NAME = "schedulerLeaderHealthIndicator";
    static final String CONSECUTIVE_FAILURES = "tally.scheduler.leader.consecutive.failures";
    static final String FAILURES = "tally.scheduler.leader.failures";

    private final int livenessFailures;
    private final AtomicInteger consecutive = new AtomicInteger();
    private final Counter failures;
    private volatile String lastError;
    private volatile Instant lastFailureAt;
    private volatile boolean dead;

    public LeaderLoopHealth(SchedulerProperties properties, MeterRegistry meters) {
        this.livenessFailures = properties.recovery().livenessFailures();
        Gauge.builder(CONSECUTIVE_FAILURES, consecutive, AtomicInteger::get)
                .description("Failures of the scheduler leader loop in a row; 0 after a successful tick")
                .register(meters);
        failures = Counter.builder(FAILURES).description("Failures of the scheduler leader loop").register(meters);
    }

    /** Records one failure; returns how many happened in a row, this one included. */
    int failed(Throwable error, Instant at) {
        lastError = error.toString();
        lastFailureAt = at;
        failures.increment();
        return consecutive.incrementAndGet();
    }

    /** Records an error that ended the leader thread: DOWN from now on, since only a restart brings the loop back. */
    void died(Throwable error, Instant at) {
        dead = true;
        failed(error, at);
    }

    /** Records a tick that went through without a failure. */
    void succeeded() {
        consecutive.set(0);
    }

    /** Failures of the leader loop in a row. */
    public int consecutiveFailures() {
        return consecutive.get();
    }

    @Override
    public Health health() {
        int inARow = consecutive.get();
        Health.Builder health = dead || inARow >= livenessFailures ? Health.down() : Health.up();
        health.withDetail("consecutiveFailures", inARow).withDetail("livenessFailures", livenessFailures);
        if (dead) {
            health.withDetail("loop", "died");
        }
        if (inARow > 0) {
            health.withDetail("lastError", String.valueOf(lastError)).withDetail("lastFailureAt", String.valueOf(lastFailureAt));
        }
        return health.build();
    }
}
