package io.tally.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.media.source.FixtureMetadata;
import io.tally.tasks.media.MediaHistoryEntry;
import io.tally.tasks.media.MediaItemState;
import io.tally.tasks.media.ProcessVideoInput;
import io.tally.tasks.media.ProcessVideoOutput;
import io.tally.worker.FixedTaskContext;
import io.tally.worker.TaskFailedException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The seed's process_video: the processed record, the DONE history entry, and the failure that leads to the DLQ. */
class ProcessVideoHandlerTest {

    private static final Instant NOW = Instant.parse("2026-12-03T04:00:00Z");

    private final InMemoryHistory history = new InMemoryHistory();
    private final ProcessVideoHandler process = new ProcessVideoHandler(new FixtureMetadata(), history, "media-workers-0",
            Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void processesAVideoAndWritesItDoneWithWorkerClaimTimeAndAttempt() {
        // When the fixture's tallyvid002 ("Rainy  night  jazz", 242 s) is processed on attempt 2
        ProcessVideoOutput output = process.run(input("tallyvid002"),
                new FixedTaskContext("job-1", "process", "tallyvid002", 2, 1, null));

        // Then the title is normalized and the duration bucketed
        assertThat(output.getTitle()).isEqualTo("Rainy night jazz");
        assertThat(output.getDurationSeconds()).isEqualTo(242L);
        assertThat(output.getDurationBucket()).isEqualTo("medium");
        assertThat(output.getWorker()).isEqualTo("media-workers-0");
        // And the history says DONE by this worker, job and attempt, claimed and done now
        MediaHistoryEntry done = history.table().get("tallyvid002");
        assertThat(done.getState()).isEqualTo(MediaItemState.DONE);
        assertThat(done.getWorker()).isEqualTo("media-workers-0");
        assertThat(done.getJobId()).isEqualTo("job-1");
        assertThat(done.getAttempt()).isEqualTo(2);
        assertThat(done.getClaimedAt()).isEqualTo(NOW);
    }

    @Test
    void anUnavailableVideoFailsRetryableForTheWorkerWithItsCodeAndWritesNothing() {
        // When the fixture's private video is processed
        // Then it fails as video-unavailable, retryable so the SDK's retry topics and dead letter take it
        assertThatThrownBy(() -> process.run(input(FixtureMetadata.BROKEN_VIDEO), FixedTaskContext.of("job-1", "process",
                FixtureMetadata.BROKEN_VIDEO))).isInstanceOfSatisfying(TaskFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo("video-unavailable");
                    assertThat(e.retryable()).isTrue();
                });
        assertThat(history.writes()).isEmpty();
    }

    @Test
    void bucketsDurationsAsYoutubeFiltersThem() {
        assertThat(ProcessVideoHandler.bucket(239L)).isEqualTo("short");
        assertThat(ProcessVideoHandler.bucket(240L)).isEqualTo("medium");
        assertThat(ProcessVideoHandler.bucket(1200L)).isEqualTo("medium");
        assertThat(ProcessVideoHandler.bucket(1201L)).isEqualTo("long");
        assertThat(ProcessVideoHandler.bucket(null)).isEqualTo("unknown");
        assertThat(ProcessVideoHandler.normalize("  a \t b  ")).isEqualTo("a b");
        assertThat(ProcessVideoHandler.normalize(" ")).isEqualTo("untitled");
    }

    private static ProcessVideoInput input(String id) {
        return ProcessVideoInput.newBuilder().setJobId("job-1").setVideoId(id)
                .setUrl("https://www.youtube.com/watch?v=" + id).build();
    }
}
