package io.tally.scheduler;

import io.tally.common.jobs.JobIds;
import io.tally.events.PipelineTriggered;
import io.tally.events.ScheduleFired;
import java.time.Instant;
import java.util.Map;

/** Builds the scheduler's events and their deterministic ids, so scheduled and manual triggers look alike downstream. */
public final class Triggers {

    private Triggers() {
    }

    /** {@code schedule:<name>@<instant in ISO-8601 UTC>}: the same instant always gives the same trigger (and job). */
    public static String scheduledTriggerId(String schedule, Instant instant) {
        return "schedule:" + schedule + "@" + instant;
    }

    /** {@code manual:<key>}, where the key is the caller's idempotency key or a random UUID. */
    public static String manualTriggerId(String key) {
        return "manual:" + key;
    }

    /** The trigger for one instant of a schedule. */
    public static PipelineTriggered scheduled(ScheduleSpec schedule, Instant instant, Instant now) {
        String triggerId = scheduledTriggerId(schedule.name(), instant);
        return PipelineTriggered.newBuilder()
                .setTriggerId(triggerId)
                .setJobId(JobIds.forTrigger(schedule.pipeline(), instant, triggerId))
                .setPipeline(schedule.pipeline())
                .setSchedule(schedule.name())
                .setScheduledFor(instant)
                .setTriggeredAt(now)
                .setParameters(Map.copyOf(schedule.parameters()))
                .build();
    }

    /** A manual trigger; its job id uses the request time, as a manual run has no schedule instant. */
    public static PipelineTriggered manual(String pipeline, Map<String, String> parameters, String key, String requestedBy,
                                           Instant now) {
        String triggerId = manualTriggerId(key);
        return PipelineTriggered.newBuilder()
                .setTriggerId(triggerId)
                .setJobId(JobIds.forTrigger(pipeline, now, triggerId))
                .setPipeline(pipeline)
                .setSchedule(null)
                .setScheduledFor(null)
                .setTriggeredAt(now)
                .setParameters(Map.copyOf(parameters))
                .setRequestedBy(requestedBy)
                .build();
    }

    /** The leader's note that {@code instant} of a schedule is handled; {@code triggerId} is null for a skipped instant. */
    public static ScheduleFired fired(ScheduleSpec schedule, Instant instant, String triggerId, Instant now) {
        return ScheduleFired.newBuilder()
                .setSchedule(schedule.name())
                .setPipeline(schedule.pipeline())
                .setInstant(instant)
                .setTriggerId(triggerId)
                .setFiredAt(now)
                .build();
    }
}
