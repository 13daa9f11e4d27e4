package io.tally.playlist;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.topics.Topics;
import io.tally.events.JobCompleted;
import io.tally.events.JobState;
import io.tally.events.PlaylistCreated;
import io.tally.events.PlaylistRequested;
import io.tally.events.StageReported;
import io.tally.events.StageState;
import io.tally.events.TrackResolution;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PlaylistTopologyTest {

    private final PlaylistDriver playlist = new PlaylistDriver();

    @AfterEach
    void closeDriver() {
        playlist.close();
    }

    @Test
    void makesOnePlaylistWithAllFoundTracksInChartOrderAndCountsTheOthersAsSkipped() {
        // Given a chart of four tracks, two FOUND, one NOT_FOUND and one FAILED
        playlist.publishChart();
        playlist.resolveAll();
        // When its job completes
        playlist.complete("job-1", JobState.COMPLETED_WITH_FAILURES);
        // Then the adapter makes one playlist with the FOUND tracks in chart order
        assertThat(playlist.calls()).singleElement().satisfies(draft -> {
            assertThat(draft.entries()).extracting(PlaylistEntry::videoId).containsExactly("video1", "video3");
            assertThat(draft.title()).isEqualTo("Beatport Top 100 — 2024-08-12");
            assertThat(draft.skippedCount()).isEqualTo(2);
            assertThat(draft.description()).endsWith("\ntally:source=" + PlaylistDriver.SOURCE);
        });
        // And one PlaylistCreated and one SUCCEEDED stage report, both keyed by the job
        List<TestRecord<String, PlaylistCreated>> created = playlist.playlists.readRecordsToList();
        assertThat(created).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo("job-1");
            assertThat(record.value().getEntryCount()).isEqualTo(2);
            assertThat(record.value().getSkippedCount()).isEqualTo(2);
            assertThat(record.value().getUrl()).isEqualTo("fake://playlists/" + PlaylistDriver.SOURCE);
            assertThat(record.value().getAdapter()).isEqualTo("fake");
            assertThat(record.value().getSourceRef()).isEqualTo(PlaylistDriver.SOURCE);
        });
        assertThat(playlist.stages.readRecordsToList()).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo("job-1");
            StageReported stage = record.value();
            assertThat(stage.getStage()).isEqualTo("playlist");
            assertThat(stage.getState()).isEqualTo(StageState.SUCCEEDED);
            assertThat(stage.getDone()).isEqualTo(2);
            assertThat(stage.getTotal()).isEqualTo(4);
            assertThat(stage.getDetail()).isEqualTo("fake://playlists/" + PlaylistDriver.SOURCE);
        });
        assertThat(playlist.playlistsCounter("made")).isEqualTo(1);
        assertThat(playlist.meters.get(PlaylistMetrics.SKIPPED).counter().count()).isEqualTo(2);
        assertThat(playlist.meters.get(PlaylistMetrics.ENTRIES).counter().count()).isEqualTo(2);
    }

    @Test
    void skipsUnreadableChartAndTrackRecordsAndKeepsMakingPlaylists() {
        // Given unreadable records on both global topics, one of them over a track already known
        playlist.rawCharts.pipeInput("beatport/garbage", "not avro".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        playlist.publishChart();
        playlist.resolveAll();
        // Registry framing with a schema id nobody registered, over the FOUND track t1
        playlist.rawTracks.pipeInput("t1", new byte[] {0, 0, 0, 0x7f, 0x7f, 1});
        // When the chart's job completes
        playlist.complete("job-1", JobState.COMPLETED_WITH_FAILURES);
        // Then the playlist is made as if the bad records were never there
        assertThat(playlist.calls()).singleElement().satisfies(draft ->
                assertThat(draft.entries()).extracting(PlaylistEntry::videoId).containsExactly("video1", "video3"));
        assertThat(playlist.playlists.readRecordsToList()).hasSize(1);
    }

    @Test
    void callsTheAdapterOnceWhenJobCompletedIsRedelivered() {
        // Given a completed job with its playlist
        playlist.publishChart();
        playlist.resolveAll();
        playlist.complete("job-1", JobState.COMPLETED);
        // When the same JobCompleted is delivered again
        playlist.complete("job-1", JobState.COMPLETED);
        // Then there is still one adapter call, one PlaylistCreated and one stage report
        assertThat(playlist.calls()).hasSize(1);
        assertThat(playlist.playlists.readValuesToList()).hasSize(1);
        assertThat(playlist.stages.readValuesToList()).hasSize(1);
    }

    @Test
    void callsTheAdapterOnceWhenJobCompletedIsRedeliveredWhileItWaits() {
        // Given a job that waits because its chart is not published yet, delivered twice
        playlist.complete("job-1", JobState.COMPLETED);
        playlist.complete("job-1", JobState.COMPLETED);
        // When the chart and its tracks arrive and the waiting jobs are checked again
        playlist.publishChart();
        playlist.resolveAll();
        playlist.advance(Duration.ofSeconds(1));
        // Then one playlist is made
        assertThat(playlist.calls()).hasSize(1);
        assertThat(playlist.playlists.readValuesToList()).hasSize(1);
    }

    @Test
    void reportsSkippedWithoutAnAdapterCallForASecondJobOfTheSameChart() {
        // Given a chart whose first job made a playlist
        playlist.publishChart();
        playlist.resolveAll();
        playlist.complete("job-1", JobState.COMPLETED);
        playlist.stages.readValuesToList();
        // When a re-run of the same chart completes
        playlist.complete("job-2", JobState.COMPLETED);
        // Then no second playlist is made and the re-run's stage is SKIPPED, naming the job that requested it
        assertThat(playlist.calls()).hasSize(1);
        assertThat(playlist.playlists.readValuesToList()).hasSize(1);
        assertThat(playlist.stages.readRecordsToList()).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo("job-2");
            assertThat(record.value().getState()).isEqualTo(StageState.SKIPPED);
            assertThat(record.value().getDetail()).isEqualTo("playlist already requested by job job-1");
        });
        assertThat(playlist.playlistsCounter("existing")).isEqualTo(1);
    }

    @Test
    void makesNoPlaylistAndReportsSkippedForATimedOutJob() {
        // Given a chart with resolved tracks
        playlist.publishChart();
        playlist.resolveAll();
        // When its job times out
        playlist.complete("job-1", JobState.TIMED_OUT);
        // Then there is no playlist, and the playlist stage is SKIPPED
        assertThat(playlist.calls()).isEmpty();
        assertThat(playlist.playlists.isEmpty()).isTrue();
        assertThat(playlist.stages.readValuesToList()).singleElement()
                .satisfies(stage -> assertThat(stage.getState()).isEqualTo(StageState.SKIPPED));
        assertThat(playlist.playlistsCounter("skipped")).isEqualTo(1);
    }

    @Test
    void ignoresJobsOfPipelinesThatAreNotConfigured() {
        // Given a chart with resolved tracks
        playlist.publishChart();
        playlist.resolveAll();
        // When a job of another pipeline completes on the same sourceRef
        playlist.complete("job-1", "daily-report", PlaylistDriver.SOURCE, JobState.COMPLETED);
        playlist.advance(Duration.ofMinutes(1));
        // Then nothing happens at all
        assertThat(playlist.calls()).isEmpty();
        assertThat(playlist.playlists.isEmpty()).isTrue();
        assertThat(playlist.stages.isEmpty()).isTrue();
        assertThat(playlist.deadLetters.isEmpty()).isTrue();
    }

    @Test
    void includesTracksThatArriveAfterTheJobCompleted() {
        // Given a chart whose tracks t3 and t4 are not in the tracks table yet when the job completes
        playlist.publishChart();
        playlist.resolve(1, TrackResolution.FOUND);
        playlist.resolve(2, TrackResolution.NOT_FOUND);
        playlist.complete("job-1", JobState.COMPLETED);
        assertThat(playlist.calls()).isEmpty();
        // When they arrive a moment later and the wall clock passes the recheck interval
        playlist.resolve(3, TrackResolution.FOUND);
        playlist.resolve(4, TrackResolution.FOUND);
        playlist.advance(Duration.ofSeconds(2));
        // Then the playlist includes them
        assertThat(playlist.calls()).singleElement().satisfies(draft ->
                assertThat(draft.entries()).extracting(PlaylistEntry::videoId).containsExactly("video1", "video3", "video4"));
        assertThat(playlist.playlists.readValuesToList()).singleElement()
                .satisfies(created -> assertThat(created.getSkippedCount()).isEqualTo(1));
    }

    @Test
    void makesThePlaylistWithWhatIsThereWhenTheResolveWaitPasses() {
        // Given a job whose track t4 never gets a TrackResolved
        playlist.publishChart();
        playlist.resolve(1, TrackResolution.FOUND);
        playlist.resolve(2, TrackResolution.FOUND);
        playlist.resolve(3, TrackResolution.FOUND);
        playlist.complete("job-1", JobState.COMPLETED);
        // When less than the resolve wait passes, nothing is made; when it has passed, the playlist is made
        playlist.advance(PlaylistDriver.RESOLVE_WAIT.minusSeconds(5));
        assertThat(playlist.calls()).isEmpty();
        playlist.advance(Duration.ofSeconds(6));
        // Then it has the three resolved tracks and counts the missing one as skipped
        assertThat(playlist.calls()).singleElement().satisfies(draft -> {
            assertThat(draft.entries()).extracting(PlaylistEntry::videoId).containsExactly("video1", "video2", "video3");
            assertThat(draft.skippedCount()).isEqualTo(1);
        });
        assertThat(playlist.stages.readValuesToList()).singleElement().satisfies(stage -> {
            assertThat(stage.getState()).isEqualTo(StageState.SUCCEEDED);
            assertThat(stage.getDone()).isEqualTo(3);
            assertThat(stage.getTotal()).isEqualTo(4);
        });
    }

    @Test
    void reportsFailedAndDeadLettersTheJobWhenTheChartNeverArrives() {
        // Given a job whose chart is never published
        playlist.complete("job-1", JobState.COMPLETED);
        // When the resolve wait passes
        playlist.advance(PlaylistDriver.RESOLVE_WAIT.plusSeconds(2));
        // Then the stage FAILED with the reason and the JobCompleted is in the dead-letter topic
        assertThat(playlist.calls()).isEmpty();
        assertThat(playlist.stages.readValuesToList()).singleElement().satisfies(stage -> {
            assertThat(stage.getState()).isEqualTo(StageState.FAILED);
            assertThat(stage.getDetail()).contains("chart '" + PlaylistDriver.SOURCE + "' is not in");
        });
        var deadLetter = playlist.deadLetters.readRecord();
        assertThat(deadLetter.key()).isEqualTo("job-1");
        assertThat(DeadLetterHeaders.reason(deadLetter.headers())).contains("is not in " + Topics.CHARTS_PUBLISHED.name());
        assertThat(playlist.playlistsCounter("failed")).isEqualTo(1);
        // And a later check does not report it again
        playlist.advance(Duration.ofSeconds(5));
        assertThat(playlist.stages.isEmpty()).isTrue();
    }

    @Test
    void reportsFailedAfterTheLastRetryAndMakesThePlaylistWhenTheIntentIsRedriven() {
        // Given a chart with resolved tracks and an adapter that keeps failing
        playlist.publishChart();
        playlist.resolveAll();
        playlist.adapter.failure = new PlaylistAdapterException("YouTube playlists.insert failed: 403 quotaExceeded", null);
        // When the job completes and its delivery runs out of retries
        playlist.complete("job-1", JobState.COMPLETED);
        // Then no PlaylistCreated, a FAILED stage with the reason, the intent dead-lettered, and the stream itself clean
        assertThat(playlist.playlists.isEmpty()).isTrue();
        assertThat(playlist.stages.readValuesToList()).singleElement().satisfies(stage -> {
            assertThat(stage.getState()).isEqualTo(StageState.FAILED);
            assertThat(stage.getDetail()).contains("fake adapter could not make the playlist").contains("quotaExceeded");
        });
        assertThat(playlist.deadLetteredIntents).extracting(PlaylistRequested::getJobId).containsExactly("job-1");
        assertThat(playlist.deadLetters.isEmpty()).isTrue();
        // And a redelivered JobCompleted decides nothing new, while a redrive of the intent makes the playlist
        playlist.adapter.failure = null;
        playlist.complete("job-1", JobState.COMPLETED);
        assertThat(playlist.calls()).hasSize(1);
        playlist.redriveDeadLetteredIntents();
        assertThat(playlist.calls()).hasSize(2);
        assertThat(playlist.playlists.readValuesToList()).hasSize(1);
        assertThat(playlist.playlistsCounter("failed")).isEqualTo(1.0);
    }

    @Test
    void deadLettersPoisonJobCompletedRecordsWithAReasonAndKeepsGoing() {
        // Given a chart with resolved tracks
        playlist.publishChart();
        playlist.resolveAll();
        // When a record that is not Avro and a JobCompleted with a non-terminal state arrive before a good one
        playlist.rawCompleted.pipeInput("job-bad", "not avro".getBytes(StandardCharsets.UTF_8));
        playlist.completed.pipeInput("job-running", JobCompleted.newBuilder().setJobId("job-running")
                .setPipeline("beatport-chart").setSourceRef(PlaylistDriver.SOURCE).setState(JobState.RUNNING)
                .setExpectedCount(1).setSucceededCount(0).setFailedCount(0).setCreatedAt(PlaylistDriver.START)
                .setCompletedAt(PlaylistDriver.START).build());
        playlist.complete("job-1", JobState.COMPLETED);
        // Then both bad records are dead-lettered with their reasons and the good job still gets its playlist
        var deadLetters = playlist.deadLetters.readRecordsToList();
        assertThat(deadLetters).extracting(TestRecord::key).containsExactly("job-bad", "job-running");
        assertThat(DeadLetterHeaders.reason(deadLetters.get(0).headers())).contains("magic byte");
        assertThat(DeadLetterHeaders.reason(deadLetters.get(1).headers())).contains("RUNNING").contains("not terminal");
        assertThat(playlist.calls()).hasSize(1);
        assertThat(playlist.playlists.readValuesToList()).singleElement()
                .satisfies(created -> assertThat(created.getJobId()).isEqualTo("job-1"));
    }
}
