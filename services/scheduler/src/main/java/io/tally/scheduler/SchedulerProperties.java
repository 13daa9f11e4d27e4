package io.tally.scheduler;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The scheduler's settings, bound from {@code tally.scheduler.*}.
 *
 * @param enabled   whether this replica takes part in leadership and fires schedules; manual triggers work either way
 * @param tick      how often the leader checks for due instants (and the longest a due instant waits to fire)
 * @param grace     how late a due instant may be and still fire on its own; instants older than this (the leader was
 *                  down, or leadership took longer to move) are "missed" and handled by each schedule's {@code missed}
 *                  policy
 * @param schedules the cron schedules, see {@link ScheduleSpec}
 * @param recovery  how the leader loop retries after a failure and when it reports itself not live, see {@link Recovery}
 */
@Validated
@ConfigurationProperties("tally.scheduler")
public record SchedulerProperties(
        @DefaultValue("true") boolean enabled,
        @NotNull @DefaultValue("1s") Duration tick,
        @NotNull @DefaultValue("1m") Duration grace,
        @NotNull @DefaultValue({}) List<@Valid ScheduleSpec> schedules,
        @NotNull @Valid @DefaultValue Recovery recovery) {

    public SchedulerProperties {
        if (schedules != null && schedules.stream().map(ScheduleSpec::name).distinct().count() != schedules.size()) {
            throw new IllegalArgumentException("tally.scheduler.schedules: names must be unique, got "
                    + schedules.stream().map(ScheduleSpec::name).toList());
        }
    }

    /**
     * Retry and liveness of the leader loop, bound from {@code tally.scheduler.recovery.*}.
     *
     * @param initialBackoff   wait before the first retry after the leader loop failed; doubled after each further
     *                         consecutive failure
     * @param maxBackoff       the longest wait between two retries
     * @param livenessFailures consecutive failures after which the liveness probe reports DOWN (Kubernetes then
     *                         restarts the pod); one successful tick brings it back UP
     */
    public record Recovery(
            @NotNull @DefaultValue("1s") Duration initialBackoff,
            @NotNull @DefaultValue("1m") Duration maxBackoff,
            @Min(1) @DefaultValue("5") int livenessFailures) {

        public Recovery {
            if (initialBackoff != null && (initialBackoff.isNegative() || initialBackoff.isZero())) {
                throw new IllegalArgumentException("tally.scheduler.recovery.initial-backoff must be positive, got "
                        + initialBackoff);
            }
            if (initialBackoff != null && maxBackoff != null && maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException("tally.scheduler.recovery.max-backoff (" + maxBackoff
                        + ") must not be shorter than initial-backoff (" + initialBackoff + ")");
            }
        }

        /** The defaults, for code that does not go through Spring. */
        public static Recovery defaults() {
            return new Recovery(Duration.ofSeconds(1), Duration.ofMinutes(1), 5);
        }

        /** The wait before retry number {@code failures} (1 = the first): doubling from the initial back-off, capped. */
        public Duration backoff(int failures) {
            int doublings = Math.min(Math.max(failures - 1, 0), 30);
            Duration wait = initialBackoff.multipliedBy(1L << doublings);
            return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
        }
    }
}
