package io.tally.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.media.source.FixtureMetadata;
import io.tally.media.source.MediaMetadata;
import io.tally.tasks.media.MediaHistoryEntry;
import io.tally.tasks.media.MediaItem;
import io.tally.tasks.media.MediaItemState;
import io.tally.tasks.media.PickNewItemsInput;
import io.tally.tasks.media.PickNewItemsOutput;
import io.tally.tasks.media.ProcessVideoInput;
import io.tally.worker.FixedTaskContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The seed's dedupe: history DONE and DEAD_LETTERED, other jobs' requests, duplicates, redelivery and a redrive. */
class PickNewItemsHandlerTest {

    private static final Instant NOW = Instant.parse("2026-12-03T04:00:00Z");

    private final InMemoryHistory history = new InMemoryHistory();
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final PickNewItemsHandler pick = new PickNewItemsHandler(history, Duration.ofHours(1), clock);

    @Test
    void leavesOutADoneAndADeadLetteredItemAndRequestsTheRest() {
        // Given a history where a is DONE and b DEAD_LETTERED
        history.write(entry("a", MediaItemState.DONE, "job-0", NOW.minusSeconds(600)));
        history.write(entry("b", MediaItemState.DEAD_LETTERED, "job-0", NOW.minusSeconds(600)));

        // When a source listing a, b, c, d is picked
        PickNewItemsOutput output = pick.run(input("job-1", "a", "b", "c", "d"), FixedTaskContext.of("job-1", "pick", null));

        // Then c and d are picked in source order, and recorded REQUESTED by this job
        assertThat(output.getItems()).extracting(MediaItem::getVideoId).containsExactly("c", "d");
        assertThat(output.getListed()).isEqualTo(4);
        assertThat(output.getAlreadyDone()).isEqualTo(1);
        assertThat(output.getDeadLettered()).isEqualTo(1);
        assertThat(output.getSummary()).isEqualTo("2 new of 4 listed (1 already done, 1 dead-lettered, 0 requested by another job)");
        assertThat(history.table().get("c").getState()).isEqualTo(MediaItemState.REQUESTED);
        assertThat(history.table().get("c").getJobId()).isEqualTo("job-1");
        assertThat(history.table().get("a").getState()).isEqualTo(MediaItemState.DONE);
    }

    @Test
    void leavesAnItemToTheJobThatRequestedItUntilTheTtlHasPassed() {
        // Given x requested by another job 10 minutes ago, and y by another job 2 hours ago (TTL 1 h)
        history.write(entry("x", MediaItemState.REQUESTED, "job-other", NOW.minus(Duration.ofMinutes(10))));
        history.write(entry("y", MediaItemState.REQUESTED, "job-gone", NOW.minus(Duration.ofHours(2))));

        // When this job picks x and y
        PickNewItemsOutput output = pick.run(input("job-1", "x", "y"), FixedTaskContext.of("job-1", "pick", null));

        // Then x is left to the other job, y (whose requester is long gone) is picked
        assertThat(output.getItems()).extracting(MediaItem::getVideoId).containsExactly("y");
        assertThat(output.getRequestedElsewhere()).isEqualTo(1);
    }

    @Test
    void aRedeliveredPickOfTheSameJobPicksItsOwnRequestsAgain() {
        // Given a first delivery that picked p and q
        PickNewItemsOutput first = pick.run(input("job-1", "p", "q"), FixedTaskContext.of("job-1", "pick", null));

        // When the same job's pick is delivered again
        PickNewItemsOutput again = pick.run(input("job-1", "p", "q"), FixedTaskContext.of("job-1", "pick", null));

        // Then it answers the same items, not "requested by another job"
        assertThat(again.getItems()).isEqualTo(first.getItems()).hasSize(2);
        assertThat(again.getRequestedElsewhere()).isZero();
    }

    @Test
    void aSourceListingAVideoTwicePicksItOnce() {
        // When a source lists v twice
        PickNewItemsOutput output = pick.run(input("job-1", "v", "w", "v"), FixedTaskContext.of("job-1", "pick", null));

        // Then v is one item
        assertThat(output.getItems()).extracting(MediaItem::getVideoId).containsExactly("v", "w");
        assertThat(output.getListed()).isEqualTo(2);
    }

    @Test
    void aDeadLetteredVideoWhoseRedriveSucceedsIsDoneAndStillNotPickedAgain() {
        // Given a video dead-lettered by job-0, and an adapter that has it now (the redrive's attempt succeeds)
        history.write(entry("tallyvid101", MediaItemState.DEAD_LETTERED, "job-0", NOW.minusSeconds(60)));
        MediaMetadata recovered = new FixtureMetadata();
        ProcessVideoHandler process = new ProcessVideoHandler(recovered, history, "media-workers-0", clock);

        // When the redriven request (the original job's headers) is processed
        process.run(ProcessVideoInput.newBuilder().setJobId("job-0").setVideoId("tallyvid101")
                .setUrl("https://www.youtube.com/watch?v=tallyvid101").build(), FixedTaskContext.of("job-0", "process", "tallyvid101"));

        // Then the history says DONE, and a later source listing it leaves it out as done
        assertThat(history.table().get("tallyvid101").getState()).isEqualTo(MediaItemState.DONE);
        PickNewItemsOutput output = pick.run(input("job-2", "tallyvid101"), FixedTaskContext.of("job-2", "pick", null));
        assertThat(output.getItems()).isEmpty();
        assertThat(output.getAlreadyDone()).isEqualTo(1);
        assertThat(output.getDeadLettered()).isZero();
    }

    static MediaHistoryEntry entry(String id, MediaItemState state, String job, Instant at) {
        return MediaHistoryEntry.newBuilder().setVideoId(id).setState(state).setJobId(job).setAt(at).build();
    }

    private static PickNewItemsInput input(String job, String... ids) {
        List<MediaItem> items = java.util.Arrays.stream(ids).map(id -> MediaItem.newBuilder().setVideoId(id)
                .setUrl("https://www.youtube.com/watch?v=" + id).setTitle("Video " + id).build()).toList();
        return PickNewItemsInput.newBuilder().setJobId(job).setItems(items).build();
    }
}
