package io.tally.jobsapi.workers;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.events.WorkerHeartbeat;
import io.tally.events.WorkerStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How one heartbeat becomes a worker of the view: the LOST boundary, STOPPED never lost, the group join. */
class WorkerResponseTest {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private static final WorkerGroups.Snapshot NO_GROUPS = new WorkerGroups.Snapshot(Map.of(), NOW, null);

    @Test
    void isLostOnlyAfterThreeSilentIntervals() {
        // Given a busy instance heard from exactly 3 intervals ago, and one heard from a millisecond earlier
        WorkerHeartbeat atLimit = heartbeat("a", WorkerStatus.BUSY, NOW.minusMillis(3_000));
        WorkerHeartbeat past = heartbeat("b", WorkerStatus.BUSY, NOW.minusMillis(3_001));

        // When they are shown, Then only the older one is LOST, and the stated status is kept
        assertThat(WorkerResponse.of(atLimit, NOW, NO_GROUPS).derivedStatus()).isEqualTo("BUSY");
        WorkerResponse lost = WorkerResponse.of(past, NOW, NO_GROUPS);
        assertThat(lost.derivedStatus()).isEqualTo("LOST");
        assertThat(lost.status()).isEqualTo(WorkerStatus.BUSY);
        assertThat(lost.gone()).isTrue();
    }

    @Test
    void aStoppedInstanceIsNeverLostAndALiveOneIsNotGone() {
        // Given a STOPPED instance silent for an hour and an IDLE one heard from now
        WorkerResponse stopped = WorkerResponse.of(heartbeat("s", WorkerStatus.STOPPED, NOW.minusSeconds(3600)),
                NOW, NO_GROUPS);
        WorkerResponse idle = WorkerResponse.of(heartbeat("i", WorkerStatus.IDLE, NOW), NOW, NO_GROUPS);

        // Then the stopped one stays STOPPED (and may be forgotten), the idle one may not
        assertThat(stopped.derivedStatus()).isEqualTo("STOPPED");
        assertThat(stopped.gone()).isTrue();
        assertThat(idle.gone()).isFalse();
        assertThat(idle.heartbeatAgeMs()).isZero();
    }

    @Test
    void joinsTheStaticMembersOfEachConcurrentConsumerButNotAnotherInstanceWithTheSamePrefix() {
        // Given the type's group with two consumers of instance "w" (Spring's -0/-1 suffixes) and one of "w-2"
        WorkerGroups.Snapshot groups = new WorkerGroups.Snapshot(Map.of("fetch", List.of(
                new WorkerGroups.Member("w-fetch-1", "c1", List.of(2)),
                new WorkerGroups.Member("w-fetch-0", "c0", List.of(0)),
                new WorkerGroups.Member("w-2-fetch", "c2", List.of(1)),
                new WorkerGroups.Member(null, "dynamic", List.of(3)))), NOW, null);

        // When instance "w" is shown
        WorkerResponse worker = WorkerResponse.of(heartbeat("w", WorkerStatus.IDLE, NOW), NOW, groups);

        // Then it holds partitions 0 and 2 of fetch only, and is in the group
        assertThat(worker.partitions()).containsExactly(Map.entry("fetch", List.of(0, 2)));
        assertThat(worker.inGroup()).isTrue();
    }

    private static WorkerHeartbeat heartbeat(String id, WorkerStatus status, Instant at) {
        return WorkerHeartbeat.newBuilder().setInstanceId(id).setService("svc").setHost("h")
                .setTaskTypes(List.of("fetch")).setStatus(status).setTasksSucceeded(0).setTasksFailed(0)
                .setSessionStartedAt(at).setStartedAt(at).setHeartbeatAt(at).setHeartbeatIntervalMs(1_000).build();
    }
}
