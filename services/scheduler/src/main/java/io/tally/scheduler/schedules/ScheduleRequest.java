package io.tally.scheduler.schedules;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Map;

/**
 * Body of {@code POST /api/schedules}: a schedule created at run time for a pipeline with a published definition.
 *
 * @param pipeline   the pipeline each firing triggers; it must have a published definition
 * @param name       the schedule's name within the pipeline, lower-case kebab as in definition files; the schedule is
 *                   then {@code <pipeline>/<name>}
 * @param cron       Spring 6-field cron expression (second minute hour day-of-month month day-of-week)
 * @param zone       the zone the cron is read in; UTC when left out
 * @param enabled    whether it fires; true when left out
 * @param missedRuns {@code skip} (default, as in definition files) or {@code fire-once}
 * @param parameters run parameters of each firing, checked against the pipeline's latest definition
 */
public record ScheduleRequest(
        @Schema(example = "beatport-chart") @NotBlank @Size(max = 200) String pipeline,
        @Schema(example = "nightly") @NotBlank
        @Pattern(regexp = "[a-z][a-z0-9-]{0,62}", message = "must be lower-case kebab, such as nightly-run") String name,
        @Schema(example = "0 0 2 * * *") @NotBlank @Size(max = 200) String cron,
        @Schema(example = "UTC") @Size(max = 100) String zone,
        Boolean enabled,
        @Schema(example = "skip", allowableValues = {"skip", "fire-once"}) String missedRuns,
        Map<@NotBlank String, @NotNull String> parameters) {

    public ScheduleRequest {
        zone = zone == null || zone.isBlank() ? "UTC" : zone;
        enabled = enabled == null ? Boolean.TRUE : enabled;
        missedRuns = missedRuns == null || missedRuns.isBlank() ? "skip" : missedRuns;
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
    }
}
