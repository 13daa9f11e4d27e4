package io.tally.jobtracker;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the job tracker judges time. A plain record: the topology takes it as an argument, Spring only binds it from
 * {@code tally.tracker.*}.
 *
 * @param stallTimeout    a job that makes no progress for this long gets one {@code JobStalled}
 * @param retention       how long the per-item dedupe state of an ended job is kept; items of the job that arrive
 *                        later than this are treated as a new, unknown job (which then stalls and expires)
 * @param maxJobAge       a job whose {@code JobCreated} names no deadline ends TIMED_OUT this long after it was
 *                        created here, so a job that stalls for good still ends once and its state is freed
 * @param timerInterval   how often stall, deadline and expiry timers are checked (wall clock)
 * @param statusInterval  how often changed job statuses are published to the status topic; state transitions
 *                        (created, stalled, ended, corrected) are published at once
 * @param maxTimersPerTick upper bound of timers handled per check, so one check never blocks processing for long
 * @param taskTimeout     how long one attempt of a pipeline task may take when its stage names no timeout
 * @param ordinalLimit    items sent with an ordinal below this keep their dedupe marks in one record per job, written
 *                        once per commit (2 bits per item, ADR 0023); other items take one record each. 0 turns
 *                        per-job marks off; change it only while no job is open, since an item's marks are looked
 *                        up where the current limit puts them
 */
@Validated
@ConfigurationProperties("tally.tracker")
public record TrackerProperties(
        @NotNull @DefaultValue("PT10M") Duration stallTimeout,
        @NotNull @DefaultValue("P7D") Duration retention,
        @NotNull @DefaultValue("P7D") Duration maxJobAge,
        @NotNull @DefaultValue("PT1S") Duration timerInterval,
        @NotNull @DefaultValue("PT0.5S") Duration statusInterval,
        @Min(1) @DefaultValue("10000") int maxTimersPerTick,
        @NotNull @DefaultValue("PT10M") Duration taskTimeout,
        @Min(0) @DefaultValue("65536") int ordinalLimit) {

    /** The defaults, for code that does not go through Spring. */
    public static TrackerProperties defaults() {
        return new TrackerProperties(Duration.ofMinutes(10), Duration.ofDays(7), Duration.ofDays(7),
                Duration.ofSeconds(1), Duration.ofMillis(500), 10_000, Duration.ofMinutes(10), 65_536);
    }

    public TrackerProperties {
        if (stallTimeout != null && maxJobAge != null && maxJobAge.compareTo(stallTimeout) <= 0) {
            throw new IllegalArgumentException("tally.tracker.max-job-age (" + maxJobAge
                    + ") must be longer than tally.tracker.stall-timeout (" + stallTimeout + ")");
        }
    }
}
