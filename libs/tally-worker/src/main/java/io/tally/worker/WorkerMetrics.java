package io.tally.worker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The SDK's meters per task type: {@code tally_worker_tasks_total{task_type,outcome}} (succeeded, failed, skipped,
 * retried: handed to a retry topic, poison: dead-lettered without readable metadata), the timer
 * {@code tally_worker_task_duration_seconds{task_type}} around each handler run, and the gauge
 * {@code tally_worker_tasks_in_flight{task_type}}. Known gap: a redelivered request is counted again.
 */
public final class WorkerMetrics {

    static final String TASKS = "tally.worker.tasks";
    static final String DURATION = "tally.worker.task.duration";
    static final String IN_FLIGHT = "tally.worker.tasks.in.flight";

    /** The outcome tag values. */
    public enum Outcome {
        SUCCEEDED, FAILED, SKIPPED, RETRIED, POISON;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

    public WorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void counted(String taskType, Outcome outcome) {
        Counter.builder(TASKS).tag("task_type", taskType).tag("outcome", outcome.tag())
                .description("Task attempts by how they ended on this worker").register(registry).increment();
    }

    void ran(String taskType, Duration duration) {
        Timer.builder(DURATION).tag("task_type", taskType).description("Duration of one handler run")
                .register(registry).record(duration);
    }

    /** The in-flight count of {@code taskType}, registered as a gauge on first use. */
    AtomicInteger inFlight(String taskType) {
        return inFlight.computeIfAbsent(taskType, type -> {
            AtomicInteger count = new AtomicInteger();
            Gauge.builder(IN_FLIGHT, count, AtomicInteger::get).tag("task_type", type)
                    .description("Tasks running on this worker now").register(registry);
            return count;
        });
    }
}
