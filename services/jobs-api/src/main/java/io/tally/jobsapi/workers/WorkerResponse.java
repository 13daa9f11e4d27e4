package io.tally.jobsapi.workers;

import io.tally.events.WorkerHeartbeat;
import io.tally.events.WorkerStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One worker instance as {@code GET /api/workers} shows it: its last heartbeat, joined with the partitions its
 * consumers hold in the {@code tally-worker-<type>} groups.
 *
 * @param instanceId       the instance's stable id
 * @param service          the application it runs
 * @param host             the host or pod it runs on
 * @param taskTypes        the task types it serves
 * @param status           the status its last heartbeat states
 * @param derivedStatus    {@code status}, or {@code LOST} when the last heartbeat is older than
 *                         {@value #LOST_AFTER_INTERVALS} intervals and it did not say STOPPED
 * @param lastHeartbeat    when the last heartbeat was written
 * @param heartbeatAgeMs   how old that heartbeat was when this answer was made
 * @param currentTask      the task (ce_id) it runs, or null
 * @param currentTaskSince when it claimed that task, or null
 * @param tasksSucceeded   tasks it ended SUCCEEDED or SKIPPED in its session
 * @param tasksFailed      task attempts it ended FAILED in its session
 * @param leaderOf         leader-only roles it holds
 * @param sessionStartedAt when its session began
 * @param heartbeatIntervalMs how often it writes a heartbeat
 * @param partitions       per task type, the partitions Kafka reports its consumers hold (types it is not in omitted)
 * @param inGroup          whether Kafka reports it as a member of any of its task types' groups
 */
public record WorkerResponse(String instanceId, String service, String host, List<String> taskTypes,
                             WorkerStatus status, String derivedStatus, Instant lastHeartbeat, long heartbeatAgeMs,
                             String currentTask, Instant currentTaskSince, long tasksSucceeded, long tasksFailed,
                             List<String> leaderOf, Instant sessionStartedAt, long heartbeatIntervalMs,
                             Map<String, List<Integer>> partitions, boolean inGroup) {

    /** Heartbeat intervals without a heartbeat after which a live instance counts as lost. */
    public static final int LOST_AFTER_INTERVALS = 3;

    /** Derived status of a live instance that stopped writing heartbeats. */
    public static final String LOST = "LOST";

    /** The response for {@code heartbeat}, aged at {@code now}, joined with {@code groups}. */
    public static WorkerResponse of(WorkerHeartbeat heartbeat, Instant now, WorkerGroups.Snapshot groups) {
        long age = Math.max(0, now.toEpochMilli() - heartbeat.getHeartbeatAt().toEpochMilli());
        boolean lost = heartbeat.getStatus() != WorkerStatus.STOPPED
                && age > LOST_AFTER_INTERVALS * heartbeat.getHeartbeatIntervalMs();
        Map<String, List<Integer>> partitions = new LinkedHashMap<>();
        for (String type : heartbeat.getTaskTypes()) {
            List<Integer> held = groups.partitionsOf(heartbeat.getInstanceId(), type);
            if (held != null) {
                partitions.put(type, held);
            }
        }
        return new WorkerResponse(heartbeat.getInstanceId(), heartbeat.getService(), heartbeat.getHost(),
                List.copyOf(heartbeat.getTaskTypes()), heartbeat.getStatus(),
                lost ? LOST : heartbeat.getStatus().name(), heartbeat.getHeartbeatAt(), age,
                heartbeat.getCurrentTask(), heartbeat.getCurrentTaskSince(), heartbeat.getTasksSucceeded(),
                heartbeat.getTasksFailed(), List.copyOf(heartbeat.getLeaderOf()), heartbeat.getSessionStartedAt(),
                heartbeat.getHeartbeatIntervalMs(), partitions, !partitions.isEmpty());
    }

    /** Whether forgetting it is safe: it said STOPPED or went quiet. */
    public boolean gone() {
        return status == WorkerStatus.STOPPED || LOST.equals(derivedStatus);
    }
}
