package io.tally.worker;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the worker SDK, bound from {@code tally.worker.*}; every key is described in libs/tally-worker/README.md.
 *
 * @param instanceId   this instance's static member id base: consumers use {@code <instanceId>-<type>} as
 *                     {@code group.instance.id} (Spring adds {@code -n} per consumer thread); empty means
 *                     {@code <spring.application.name>-<HOSTNAME>}
 * @param concurrency  consumer threads per task type (and per retry topic); each runs at most one task at a time
 * @param retry        the default retry policy of every task type
 * @param rateLimit    the default rate limit of every task type
 * @param tasks        per task type overrides, keyed by task type
 * @param sendTimeout  how long a task waits for the broker to acknowledge its result
 * @param drainTimeout on shutdown, how long the SDK waits for running tasks to finish and write their results
 * @param createTopics whether the worker creates its task types' request, retry and dead-letter topics when missing;
 *                     unset follows {@code tally.kafka.create-topics}. Retry topics are the worker's own (their names
 *                     carry its back-off), so a platform that creates the catalogue's topics cannot create them
 * @param maxEventAge  the default maximum age of a request (from its {@code ce_time}, else the record's timestamp):
 *                     an older one is not run but dead-lettered with the reason {@code max-event-age-exceeded} and
 *                     answered FAILED, not retryable; null (the default) means no limit
 * @param deadLetterRetention how long the task types' dead-letter topics keep records when the SDK creates them; null
 *                     (the default) keeps the catalogue's dead-letter retention (28 days). An existing topic is not
 *                     changed
 * @param heartbeatInterval how often the instance writes its {@code WorkerHeartbeat} (also on each change of status)
 * @param heartbeats   whether heartbeats are written at all
 * @param sessionTimeout a restart with the same instance id within this time of the last heartbeat continues the
 *                     session (its start and counters); later, a new session begins
 * @param leaderSessionTimeout how long a crashed leader keeps a leader-only role before another member takes it (the
 *                     {@code session.timeout.ms} of the {@code tally-leader-<role>} groups)
 */
@Validated
@ConfigurationProperties("tally.worker")
public record WorkerProperties(
        @DefaultValue("") String instanceId,
        @Min(1) @DefaultValue("1") int concurrency,
        @Valid @DefaultValue Retry retry,
        @Valid @DefaultValue RateLimit rateLimit,
        @NotNull @DefaultValue Map<String, @Valid Task> tasks,
        @NotNull @DefaultValue("PT30S") Duration sendTimeout,
        @NotNull @DefaultValue("PT30S") Duration drainTimeout,
        Boolean createTopics,
        Duration maxEventAge,
        Duration deadLetterRetention,
        @NotNull @DefaultValue("PT5S") Duration heartbeatInterval,
        @Valid @DefaultValue Heartbeats heartbeats,
        @NotNull @DefaultValue("PT5M") Duration sessionTimeout,
        @NotNull @DefaultValue("PT10S") Duration leaderSessionTimeout) {

    public WorkerProperties {
        if (maxEventAge != null && (maxEventAge.isZero() || maxEventAge.isNegative())) {
            throw new IllegalArgumentException("tally.worker.max-event-age must be positive, was " + maxEventAge);
        }
        if (deadLetterRetention != null && (deadLetterRetention.isZero() || deadLetterRetention.isNegative())) {
            throw new IllegalArgumentException("tally.worker.dead-letter-retention must be positive, was "
                    + deadLetterRetention);
        }
    }

    /** @param enabled whether the instance writes heartbeats to {@code tally.workers.heartbeats} */
    public record Heartbeats(@DefaultValue("true") boolean enabled) {
    }

    /**
     * Worker-local retries through Spring Kafka retry topics with exponential back-off: attempt n+1 waits
     * {@code min(initialDelay × multiplier^(n-1), maxDelay)}; after {@code attempts} deliveries the request goes to
     * {@code tally.dlt.tasks.<type>} and a FAILED result is written. The engine's own retries come on top.
     *
     * @param attempts     deliveries including the first one; 1 means no retry topics
     * @param initialDelay delay before the first retry
     * @param multiplier   growth of the delay per retry
     * @param maxDelay     upper bound of any delay
     */
    public record Retry(
            @Min(1) @DefaultValue("3") int attempts,
            @NotNull @DefaultValue("PT1S") Duration initialDelay,
            @DecimalMin("1.0") @DefaultValue("2.0") double multiplier,
            @NotNull @DefaultValue("PT30S") Duration maxDelay) {
    }

    /**
     * A per-instance token bucket, then a jitter in [0, baseJitter × members of the task type's consumer group).
     *
     * @param requestsPerSecond tasks this instance starts per second; 0 means no limit
     * @param baseJitter        jitter per group member; zero means none
     * @param groupSizeRefresh  how long the member count of the group is cached
     */
    public record RateLimit(
            @Min(0) @DefaultValue("0") int requestsPerSecond,
            @NotNull @DefaultValue("PT0S") Duration baseJitter,
            @NotNull @DefaultValue("PT30S") Duration groupSizeRefresh) {

        boolean enabled() {
            return requestsPerSecond > 0;
        }
    }

    /**
     * Overrides for one task type; a key left out takes the value above.
     *
     * @param groupId     consumer group; default {@code tally-worker-<type>}
     * @param concurrency consumer threads for this type
     * @param retry       retry policy for this type (given keys only; the rest take {@code Retry}'s defaults)
     * @param rateLimit   rate limit for this type (likewise)
     * @param maxEventAge maximum age of this type's requests; unset takes {@code tally.worker.max-event-age}
     */
    public record Task(String groupId, @Min(1) Integer concurrency, @Valid Retry retry, @Valid RateLimit rateLimit,
                       Duration maxEventAge) {
    }

    /** This instance's id: {@code instance-id}, else {@code <application>-<hostname>}. */
    public String instanceId(String application, String hostname) {
        return instanceId.isBlank() ? application + "-" + hostname : instanceId;
    }

    /** The consumer group of {@code taskType}. */
    public String groupId(String taskType) {
        Task task = tasks.get(taskType);
        return task != null && task.groupId() != null ? task.groupId() : "tally-worker-" + taskType;
    }

    /** Consumer threads of {@code taskType}. */
    public int concurrency(String taskType) {
        Task task = tasks.get(taskType);
        return task != null && task.concurrency() != null ? task.concurrency() : concurrency;
    }

    /** Whether the task topics are created, given whether the service creates the catalogue's. */
    public boolean createsTopics(boolean catalogueTopics) {
        return createTopics != null ? createTopics : catalogueTopics;
    }

    /** The retry policy of {@code taskType}. */
    public Retry retry(String taskType) {
        Task task = tasks.get(taskType);
        return task != null && task.retry() != null ? task.retry() : retry;
    }

    /** The maximum request age of {@code taskType}, or null when its requests may be of any age. */
    public Duration maxEventAge(String taskType) {
        Task task = tasks.get(taskType);
        return task != null && task.maxEventAge() != null ? task.maxEventAge() : maxEventAge;
    }

    /** The rate limit of {@code taskType}. */
    public RateLimit rateLimit(String taskType) {
        Task task = tasks.get(taskType);
        return task != null && task.rateLimit() != null ? task.rateLimit() : rateLimit;
    }
}
