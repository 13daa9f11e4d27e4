package io.tally.pipeline;

import java.time.ZoneId;
import java.util.Map;

/**
 * A cron schedule that triggers runs of its pipeline.
 *
 * @param name       unique within the pipeline; the scheduler's trigger ids use it
 * @param cron       a Spring cron expression (six fields, seconds first)
 * @param zone       the zone the cron expression is read in
 * @param enabled    whether the scheduler fires it
 * @param missedRuns what happens to instants that passed while no scheduler could fire them
 * @param parameters run parameters this schedule gives, on top of the defaults
 */
public record ScheduleSpec(String name, String cron, ZoneId zone, boolean enabled, MissedRunPolicy missedRuns,
                           Map<String, String> parameters) {

    public ScheduleSpec {
        parameters = Map.copyOf(parameters);
    }
}
