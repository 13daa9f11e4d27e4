package io.tally.scheduler.manual;

/**
 * Answer of {@code POST /api/triggers}: the ids under which the run can be followed.
 *
 * @param triggerId the emitted trigger's id
 * @param jobId     the job the run becomes
 */
public record TriggerAccepted(String triggerId, String jobId) {
}
