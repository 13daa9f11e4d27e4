package io.tally.jobtracker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tally.common.jobs.JobStates;
import io.tally.events.JobState;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * The tracker's own metrics. Known gap: counters are bumped when a record is processed, so a transaction that aborts
 * and is retried after a crash counts its records again; the Kafka topics, not these counters, are exact.
 */
final class TrackerMetrics {

    static final String ITEMS = "tally.tracker.items";
    // Not "jobs.created": Prometheus reserves the _created suffix of counters.
    static final String JOBS_STARTED = "tally.tracker.jobs.started";
    static final String JOBS_ENDED = "tally.tracker.jobs.ended";
    static final String JOBS_STALLED = "tally.tracker.jobs.stalled";
    static final String JOB_DURATION = "tally.tracker.job.duration";

    private final Counter counted;
    private final Counter duplicate;
    private final Counter corrected;
    private final Counter late;
    private final Counter created;
    private final Counter stalled;
    private final Map<JobState, Counter> ended = new EnumMap<>(JobState.class);
    private final Timer duration;

    TrackerMetrics(MeterRegistry registry) {
        counted = itemCounter(registry, "counted", "A new distinct item of a running job");
        duplicate = itemCounter(registry, "duplicate", "A redelivered item that changed nothing");
        corrected = itemCounter(registry, "corrected", "An item whose outcome changed after it was counted");
        late = itemCounter(registry, "late", "A new distinct item of a job that had already ended");
        created = Counter.builder(JOBS_STARTED).description("Jobs whose JobCreated was counted").register(registry);
        stalled = Counter.builder(JOBS_STALLED).description("Stall events emitted").register(registry);
        for (JobState state : JobStates.ENDED) {
            ended.put(state, Counter.builder(JOBS_ENDED).tag("state", state.name()).description("Jobs that ended").register(registry));
        }
        duration = Timer.builder(JOB_DURATION).description("From JobCreated to the job's end")
                .publishPercentileHistogram().register(registry);
    }

    private static Counter itemCounter(MeterRegistry registry, String result, String description) {
        return Counter.builder(ITEMS).tag("result", result).description(description).register(registry);
    }

    void counted() {
        counted.increment();
    }

    void duplicate() {
        duplicate.increment();
    }

    void corrected() {
        corrected.increment();
    }

    void late() {
        late.increment();
    }

    void created() {
        created.increment();
    }

    void stalled() {
        stalled.increment();
    }

    void ended(JobState state, Duration jobDuration) {
        ended.get(state).increment();
        if (!jobDuration.isNegative()) {
            duration.record(jobDuration);
        }
    }
}
