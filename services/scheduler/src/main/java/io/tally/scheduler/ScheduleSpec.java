package io.tally.scheduler;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.ZoneId;
import java.util.Map;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.scheduling.support.CronExpression;

/**
 * One cron schedule: an element of {@code tally.scheduler.schedules}, or one that a published pipeline definition
 * declares (see {@code PipelineSchedules}). The cron text is parsed when the configuration is bound, so a bad expression
 * stops the service at start with the property name in the message.
 *
 * @param name       unique name; the key of its {@code ScheduleFired} record and part of every trigger id, so renaming
 *                   a schedule makes it a new schedule (it starts again from "now"); a configured name has no '/', a
 *                   declared one is {@code <pipeline>/<schedule>}, so the two never collide
 * @param pipeline   the pipeline each firing triggers, such as {@code beatport-chart}
 * @param cron       Spring 6-field cron expression (second minute hour day-of-month month day-of-week)
 * @param zone       the time zone the cron fields are read in; required, so "02:00" is never ambiguous
 * @param missed     what to do with instants missed while no leader was running (see {@link MissedPolicy})
 * @param parameters run parameters copied into every trigger
 */
public record ScheduleSpec(
        @NotBlank @Pattern(regexp = "[A-Za-z0-9._-]+", message = "may contain only letters, digits, '.', '_' and '-' "
                + "('/' is kept for the schedules of pipeline definitions, <pipeline>/<schedule>)") String name,
        @NotBlank String pipeline,
        @NotBlank String cron,
        @NotNull ZoneId zone,
        @NotNull @DefaultValue("FIRE_ONCE") MissedPolicy missed,
        Map<String, String> parameters) {

    public ScheduleSpec {
        if (cron != null && !cron.isBlank()) {
            CronExpression.parse(cron);
        }
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
    }

    /** The parsed cron expression. */
    public CronExpression cronExpression() {
        return CronExpression.parse(cron);
    }
}
