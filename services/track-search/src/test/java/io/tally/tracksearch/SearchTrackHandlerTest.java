package io.tally.tracksearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tally.events.TrackResolution;
import io.tally.events.TrackResolved;
import io.tally.events.tasks.SearchTrackInput;
import io.tally.events.tasks.SearchTrackOutput;
import io.tally.worker.FixedTaskContext;
import io.tally.worker.TaskFailedException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The search-track task: the row of the tracks table is written before the answer, not-found tracks answer
 * NOT_FOUND, passing failures are thrown for the SDK to retry, and lasting ones fail at once with their code.
 */
class SearchTrackHandlerTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-30T07:00:00Z"), ZoneOffset.UTC);
    /** The worker's deliveries of one task. */
    private static final int ATTEMPTS = 3;

    private final List<TrackResolved> rows = new ArrayList<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private SearchTrackHandler handler(TrackSearchAdapter adapter) {
        return new SearchTrackHandler(adapter, "offline-catalog", new SearchMetrics(meters, "offline-catalog"),
                ATTEMPTS, rows::add, CLOCK);
    }

    private double requests(String result) {
        return meters.get(SearchMetrics.REQUESTS).tag("result", result).counter().count();
    }

    private static SearchTrackInput input(String title) {
        return SearchTrackInput.newBuilder().setTrackKey("key-" + title).setArtists(List.of("Artist")).setTitle(title)
                .setMix(null).build();
    }

    @Test
    void writesTheFoundTrackToTheTracksTableAndAnswersWithTheVideo() throws Exception {
        // Given the offline catalog, which finds every track
        SearchTrackHandler handler = handler(new OfflineCatalogAdapter(new SearchProperties.Offline(List.of(), List.of(), 0)));

        // When a track is searched
        SearchTrackOutput output = handler.run(input("Greece 2000"), FixedTaskContext.of("job-1", "search", "key-Greece 2000"));

        // Then it answers with the video, and the tracks table got the same row first
        assertThat(output.getTrackKey()).isEqualTo("key-Greece 2000");
        assertThat(output.getResolution()).isEqualTo(TrackResolution.FOUND);
        assertThat(output.getVideoId()).isEqualTo(OfflineCatalogAdapter.videoId("key-Greece 2000"));
        assertThat(rows).singleElement().satisfies(row -> {
            assertThat(row.getTrackKey()).isEqualTo("key-Greece 2000");
            assertThat(row.getResolution()).isEqualTo(TrackResolution.FOUND);
            assertThat(row.getVideoId()).isEqualTo(output.getVideoId());
            assertThat(row.getSource()).isEqualTo("offline-catalog");
            assertThat(row.getResolvedAt()).isEqualTo(CLOCK.instant());
        });
        assertThat(requests("found")).isEqualTo(1);
    }

    @Test
    void answersNotFoundForATrackWithoutAVideo() throws Exception {
        // Given an adapter that finds nothing
        SearchTrackHandler handler = handler(request -> SearchResult.notFound());

        // When a track is searched
        SearchTrackOutput output = handler.run(input("Unknown"), FixedTaskContext.of("job-1", "search", "key-Unknown"));

        // Then it answers NOT_FOUND without a video, and the row says the same
        assertThat(output.getResolution()).isEqualTo(TrackResolution.NOT_FOUND);
        assertThat(output.getVideoId()).isNull();
        assertThat(rows).singleElement().extracting(TrackResolved::getResolution).isEqualTo(TrackResolution.NOT_FOUND);
    }

    @Test
    void throwsAPassingFailureForTheSdkToRetryAndWritesNoRow() {
        // Given a title whose first three searches fail with an error that may pass
        SearchTrackHandler handler = handler(new OfflineCatalogAdapter(
                new SearchProperties.Offline(List.of(), List.of("take your places"), 3)));

        // When it is searched, Then the failure is thrown for the SDK's retry topics, and no row is written
        assertThatThrownBy(() -> handler.run(input("Take Your Places"), FixedTaskContext.of("job-1", "search", "k")))
                .isInstanceOf(RetryableSearchException.class);
        assertThat(rows).isEmpty();
        // And it counts as retried, since deliveries are left
        assertThat(requests("retried")).isEqualTo(1);
    }

    @Test
    void passesTheDeliveryAttemptToTheAdapterAndDoesNotCountTheLastDeliverysFailureAsRetried() {
        // Given a title whose searches always fail with an error that may pass
        SearchTrackHandler handler = handler(new OfflineCatalogAdapter(
                new SearchProperties.Offline(List.of(), List.of("take your places"), 0)));

        // When its last delivery (the third of three) fails
        assertThatThrownBy(() -> handler.run(input("Take Your Places"),
                new FixedTaskContext("job-1", "search", "k", 1, ATTEMPTS, null)))
                .isInstanceOf(RetryableSearchException.class);

        // Then it is not counted as retried: the SDK dead-letters it and counts the failure
        assertThat(requests("retried")).isZero();
    }

    @Test
    void findsAFailingTitleOnTheDeliveryAfterItsFailingAttempts() throws Exception {
        // Given a title whose first two searches fail
        SearchTrackHandler handler = handler(new OfflineCatalogAdapter(
                new SearchProperties.Offline(List.of(), List.of("take your places"), 2)));

        // When the third delivery searches it
        SearchTrackOutput output = handler.run(input("Take Your Places"),
                new FixedTaskContext("job-1", "search", "k", 1, 3, null));

        // Then the adapter was asked as delivery 3, and the track is found
        assertThat(output.getResolution()).isEqualTo(TrackResolution.FOUND);
    }

    @Test
    void failsAtOnceWithTheAdapterCodeAndMarksTheTrackFailedWhenRetryingCannotHelp() {
        // Given an adapter whose day's quota is used up
        TrackSearchAdapter noQuota = new TrackSearchAdapter() {
            @Override
            public SearchResult search(SearchTrackInput track) {
                throw new NonRetryableSearchException(NonRetryableSearchException.QUOTA_EXCEEDED, "quota used up");
            }
        };
        SearchTrackHandler handler = handler(noQuota);

        // When a track is searched, Then the task fails at once, not retryable, with the adapter's code
        assertThatThrownBy(() -> handler.run(input("Any"), FixedTaskContext.of("job-1", "search", "key-Any")))
                .isInstanceOfSatisfying(TaskFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo("quota-exceeded");
                    assertThat(e.retryable()).isFalse();
                });
        // FAILED is a search without an answer: the next chart asks again.
        assertThat(rows).singleElement().satisfies(row -> {
            assertThat(row.getResolution()).isEqualTo(TrackResolution.FAILED);
            assertThat(row.getError()).isEqualTo("quota used up");
        });
        assertThat(requests("failed")).isEqualTo(1);
    }
}
