package io.tally.scheduler;

import jakarta.validation.Valid;
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
 */
@Validated
@ConfigurationProperties("tally.scheduler")
public record SchedulerProperties(
        @DefaultValue("true") boolean enabled,
        @NotNull @DefaultValue("1s") Duration tick,
        @NotNull @DefaultValue("1m") Duration grace,
        @NotNull @DefaultValue({}) List<@Valid ScheduleSpec> schedules) {

    public SchedulerProperties {
        if (schedules != null && schedules.stream().map(ScheduleSpec::name).distinct().count() != schedules.size()) {
            throw new IllegalArgumentException("tally.scheduler.schedules: names must be unique, got "
                    + schedules.stream().map(ScheduleSpec::name).toList());
        }
    }
}
