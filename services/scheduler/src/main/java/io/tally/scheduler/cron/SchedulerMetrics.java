package io.tally.scheduler.cron;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tally.scheduler.MissedPolicy;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/** The scheduler's Micrometer meters: triggers emitted, instants missed, and whether this replica leads. */
@Component
public class SchedulerMetrics {

    private final MeterRegistry meters;
    private final AtomicInteger leader = new AtomicInteger();

    public SchedulerMetrics(MeterRegistry meters) {
        this.meters = meters;
        Gauge.builder("tally.scheduler.leader", leader, AtomicInteger::get)
                .description("1 while this replica is the scheduler leader, else 0")
                .register(meters);
    }

    /** Counts one emitted trigger; {@code schedule} is the schedule name, or "manual". */
    public void triggered(String schedule) {
        Counter.builder("tally.scheduler.triggers").description("Pipeline triggers emitted")
                .tag("schedule", schedule).register(meters).increment();
    }

    /** Counts one missed instant, handled by {@code policy}. */
    public void missed(String schedule, MissedPolicy policy) {
        Counter.builder("tally.scheduler.missed").description("Schedule instants missed while no leader ran")
                .tag("schedule", schedule).tag("policy", policy.name()).register(meters).increment();
    }

    void leading(boolean leading) {
        leader.set(leading ? 1 : 0);
    }

    /** Whether the gauge says this replica leads. */
    public boolean isLeader() {
        return leader.get() == 1;
    }
}
