package io.tally.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.events.JobCompleted;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.events.NotificationSent;
import io.tally.events.PlaylistCreated;
import io.tally.events.StageState;
import io.tally.events.StageStatus;
import io.tally.faults.ExactlyOnceChecker.JobExpectation;
import io.tally.faults.ExactlyOnceChecker.Observations;
import io.tally.faults.ExactlyOnceChecker.Verdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The checker's rules on hand-made observations: it must pass a clean run and fail every kind of violation. */
class ExactlyOnceCheckerTest {

    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private static final JobExpectation JOB_A = JobExpectation.allSucceeded("job-a", "chart/a", 3, true);
    private static final JobExpectation JOB_B = JobExpectation.allSucceeded("job-b", "chart/b", 3, true);

    @Test
    void passesWhenEveryJobCompletedOnceWithOnePlaylistAndOneNotification() {
        // Given a clean run of two jobs
        Observations seen = clean();

        // When the checker judges it
        Verdict verdict = ExactlyOnceChecker.evaluate(List.of(JOB_A, JOB_B), id -> id.startsWith("job-"), seen);

        // Then nothing is reported
        assertThat(verdict.violations()).isEmpty();
        verdict.assertExactlyOnce();
    }

    @Test
    void reportsADoubledCompletionAndAMissingOne() {
        // Given job A completed twice and job B never
        Observations clean = clean();
        List<JobCompleted> completions = new ArrayList<>(List.of(completed("job-a", 3), completed("job-a", 3)));
        Observations seen = new Observations(completions, clean.latestStatus(), clean.playlists(),
                clean.notifications(), clean.playlistFileEntries(), clean.outboxFiles());

        // When the checker judges it
        Verdict verdict = ExactlyOnceChecker.evaluate(List.of(JOB_A, JOB_B), id -> true, seen);

        // Then both faults are named, and the assertion fails with them
        assertThat(verdict.violations()).containsExactlyInAnyOrder("job-a: JobCompleted 2 times", "job-b: no JobCompleted");
        assertThat(verdict.duplicates()).isEqualTo(1);
        assertThat(verdict.missing()).isEqualTo(1);
        assertThatThrownBy(verdict::assertExactlyOnce).isInstanceOf(AssertionError.class)
                .hasMessageContaining("job-a: JobCompleted 2 times").hasMessageContaining("job-b: no JobCompleted");
    }

    @Test
    void reportsWrongCountsAndItemsNotAccountedFor() {
        // Given job A's completion and status miss one item
        Observations clean = clean();
        Observations seen = new Observations(List.of(completed("job-a", 2), completed("job-b", 3)),
                Map.of("job-a", status("job-a", 2), "job-b", status("job-b", 3)), clean.playlists(),
                clean.notifications(), clean.playlistFileEntries(), clean.outboxFiles());

        // When the checker judges it
        Verdict verdict = ExactlyOnceChecker.evaluate(List.of(JOB_A, JOB_B), id -> true, seen);

        // Then the counts and the unaccounted item are reported
        assertThat(verdict.violations()).contains(
                "job-a: JobCompleted says COMPLETED 2/0/0 of 3, expected COMPLETED 3/0/0 of 3",
                "job-a: 2 of 3 accepted items accounted for");
    }

    @Test
    void reportsASecondPlaylistASecondNotificationAndAMissingAdapterFile() {
        // Given job A got two playlists and two outbox notifications, and job B's playlist file is missing
        Observations clean = clean();
        List<PlaylistCreated> playlists = new ArrayList<>(clean.playlists());
        playlists.add(playlist("job-a", "chart/a", 3));
        List<NotificationSent> notifications = new ArrayList<>(clean.notifications());
        notifications.add(notification("completed:job-a"));
        Observations seen = new Observations(clean.completions(), clean.latestStatus(), playlists, notifications,
                Map.of("chart_a", 3), clean.outboxFiles());

        // When the checker judges it
        Verdict verdict = ExactlyOnceChecker.evaluate(List.of(JOB_A, JOB_B), id -> true, seen);

        // Then each is reported
        assertThat(verdict.violations()).contains("job-a: PlaylistCreated 2 times",
                "job-a: NotificationSent completed:job-a on outbox 2 times", "job-b: no playlist file for chart/b");
    }

    @Test
    void reportsACompletionOfAJobThatWasNeverStarted() {
        // Given a completion for a job in scope that no test started
        Observations clean = clean();
        List<JobCompleted> completions = new ArrayList<>(clean.completions());
        completions.add(completed("job-ghost", 1));
        Observations seen = new Observations(completions, clean.latestStatus(), clean.playlists(),
                clean.notifications(), clean.playlistFileEntries(), clean.outboxFiles());

        // When the checker judges it, and a completion out of scope is ignored
        Verdict inScope = ExactlyOnceChecker.evaluate(List.of(JOB_A, JOB_B), id -> id.startsWith("job-"), seen);
        Verdict outOfScope = ExactlyOnceChecker.evaluate(List.of(JOB_A, JOB_B), id -> id.equals("other"), seen);

        // Then only the scoped check reports it
        assertThat(inScope.violations()).containsExactly("job-ghost: completed, but no such job was started");
        assertThat(outOfScope.violations()).isEmpty();
    }

    @Test
    void judgesAnEngineJobByItsFanOutCountsAndAPlaylistOfTheFoundTracksOnly() {
        // Given an engine job of 3 searched tracks, all answered (one not found), with a playlist of the 2 found
        JobExpectation chart = new JobExpectation("job-e", "beatport/2026/11/23/e-top100", JobState.COMPLETED, 3, 3, 0,
                0, true, true, 2);
        Observations seen = new Observations(List.of(completed("job-e", 3)),
                Map.of("job-e", engineStatus("job-e", StageState.SUCCEEDED)),
                List.of(playlist("job-e", "beatport/2026/11/23/e-top100", 2)), List.of(notification("completed:job-e")),
                Map.of("beatport_2026_11_23_e-top100", 2), Set.of("completed_job-e"));

        // When the checker judges it, and a playlist of all 3 tracks
        Verdict verdict = ExactlyOnceChecker.evaluate(List.of(chart), id -> true, seen);
        Verdict tooMany = ExactlyOnceChecker.evaluate(List.of(chart), id -> true, new Observations(seen.completions(),
                seen.latestStatus(), List.of(playlist("job-e", "beatport/2026/11/23/e-top100", 3)),
                seen.notifications(), Map.of("beatport_2026_11_23_e-top100", 3), seen.outboxFiles()));

        // Then the first passes and the second is reported: entries follow the found tracks, not the counts
        assertThat(verdict.violations()).isEmpty();
        assertThat(tooMany.violations()).containsExactly("job-e: playlist has 3 entries, expected 2");
    }

    @Test
    void reportsAnEngineJobCompletedWithAStageThatDidNotSucceed() {
        // Given an engine job whose completion came while its notify stage was still running
        Observations clean = clean();
        Observations seen = new Observations(clean.completions(),
                Map.of("job-a", engineStatus("job-a", StageState.RUNNING), "job-b", status("job-b", 3)),
                clean.playlists(), clean.notifications(), clean.playlistFileEntries(), clean.outboxFiles());

        // When the checker judges it
        Verdict verdict = ExactlyOnceChecker.evaluate(List.of(JOB_A, JOB_B), id -> true, seen);

        // Then the open stage is named
        assertThat(verdict.violations()).containsExactly("job-a: stage notify is RUNNING in the COMPLETED status");
    }

    private static Observations clean() {
        return new Observations(List.of(completed("job-a", 3), completed("job-b", 3)),
                Map.of("job-a", status("job-a", 3), "job-b", status("job-b", 3)),
                List.of(playlist("job-a", "chart/a", 3), playlist("job-b", "chart/b", 3)),
                List.of(notification("completed:job-a"), notification("completed:job-b")),
                Map.of("chart_a", 3, "chart_b", 3), Set.of("completed_job-a", "completed_job-b"));
    }

    private static JobCompleted completed(String jobId, int succeeded) {
        return JobCompleted.newBuilder().setJobId(jobId).setPipeline("p").setSourceRef("s")
                .setState(JobState.COMPLETED).setExpectedCount(3).setSucceededCount(succeeded).setFailedCount(0)
                .setSkippedCount(0).setCreatedAt(T0).setCompletedAt(T0).build();
    }

    private static JobStatus status(String jobId, int succeeded) {
        return JobStatus.newBuilder().setJobId(jobId).setState(JobState.COMPLETED).setExpectedCount(3)
                .setSucceededCount(succeeded).setFailedCount(0).setSkippedCount(0).setFirstSeenAt(T0)
                .setLastProgressAt(T0).setUpdatedAt(T0).build();
    }

    /** A status as the engine writes it: a pipeline version, and the stages of the chart pipeline. */
    private static JobStatus engineStatus(String jobId, StageState notify) {
        JobStatus status = status(jobId, 3);
        List<StageStatus> stages = new ArrayList<>();
        for (String stage : List.of("scrape", "pick", "search", "playlist")) {
            stages.add(StageStatus.newBuilder().setName(stage).setState(StageState.SUCCEEDED).setDone(1).build());
        }
        stages.add(StageStatus.newBuilder().setName("notify").setState(notify).setDone(0).build());
        status.setStages(stages);
        status.setPipelineVersion(1);
        status.setCountedStage("search");
        return status;
    }

    private static PlaylistCreated playlist(String jobId, String sourceRef, int entries) {
        return PlaylistCreated.newBuilder().setJobId(jobId).setSourceRef(sourceRef).setPlaylistId(sourceRef)
                .setTitle("t").setUrl("file:///x").setEntryCount(entries).setSkippedCount(0).setAdapter("file")
                .setCreatedAt(T0).build();
    }

    private static NotificationSent notification(String id) {
        // As the notification service writes it: the notification id with the channel appended.
        return NotificationSent.newBuilder().setNotificationId(id + ":outbox").setKind("completed").setChannel("outbox")
                .setSubject("s").setSentAt(T0).build();
    }
}
