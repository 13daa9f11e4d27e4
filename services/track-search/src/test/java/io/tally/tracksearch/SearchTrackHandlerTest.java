package io.tally.tracksearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tally.events.TrackResolution;
import io.tally.events.TrackResolved;
import io.tally.events.TrackSearchRequested;
import io.tally.events.tasks.SearchTrackInput;
import io.tally.events.tasks.SearchTrackOutput;
import io.tally.worker.FixedTaskContext;
import io.tally.worker.TaskFailedException;
import java.time.Clock;
import java.time.Duration;
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
    private static final SearchProperties PROPERTIES = new SearchProperties(SearchProperties.Adapter.OFFLINE,
            new SearchProperties.Retry(4, Duration.ofSeconds(1), 2.0, Duration.ofSeconds(30)),
            new SearchProperties.Offline(List.of(), List.of(), 0),
            new SearchProperties.YouTube("http://unused", "", 5, Duration.ZERO, Duration.ofSeconds(30),
                    Duration.ofSeconds(1), Duration.ofSeconds(1)),
            Duration.ofSeconds(5));

    private final List<TrackResolved> rows = new ArrayList<>();

    private SearchTrackHandler handler(TrackSearchAdapter adapter) {
        return new SearchTrackHandler(adapter, "offline-catalog", new SearchMetrics(new SimpleMeterRegistry(), "offline-catalog"),
                PROPERTIES, rows::add, CLOCK);
    }

    private static SearchTrackInput input(String title) {
        return SearchTrackInput.newBuilder().setTrackKey("key-" + title).setArtists(List.of("Artist")).setTitle(title)
                .setMix(null).build();
    }

    @Test
    void writesTheFoundTrackToTheTracksTableAndAnswersWithTheVideo() throws Exception {
        SearchTrackHandler handler = handler(new OfflineCatalogAdapter(new SearchProperties.Offline(List.of(), List.of(), 0)));

        SearchTrackOutput output = handler.run(input("Greece 2000"), FixedTaskContext.of("job-1", "search", "key-Greece 2000"));

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
    }

    @Test
    void answersNotFoundForATrackWithoutAVideo() throws Exception {
        SearchTrackHandler handler = handler(request -> SearchResult.notFound());

        SearchTrackOutput output = handler.run(input("Unknown"), FixedTaskContext.of("job-1", "search", "key-Unknown"));

        assertThat(output.getResolution()).isEqualTo(TrackResolution.NOT_FOUND);
        assertThat(output.getVideoId()).isNull();
        assertThat(rows).singleElement().extracting(TrackResolved::getResolution).isEqualTo(TrackResolution.NOT_FOUND);
    }

    @Test
    void throwsAPassingFailureForTheSdkToRetryAndWritesNoRow() {
        SearchTrackHandler handler = handler(new OfflineCatalogAdapter(
                new SearchProperties.Offline(List.of(), List.of("take your places"), 3)));

        assertThatThrownBy(() -> handler.run(input("Take Your Places"), FixedTaskContext.of("job-1", "search", "k")))
                .isInstanceOf(RetryableSearchException.class);
        assertThat(rows).isEmpty();
    }

    @Test
    void failsAtOnceWithTheAdapterCodeAndMarksTheTrackFailedWhenRetryingCannotHelp() {
        TrackSearchAdapter noQuota = new TrackSearchAdapter() {
            @Override
            public SearchResult search(TrackSearchRequested request) {
                throw new NonRetryableSearchException(NonRetryableSearchException.QUOTA_EXCEEDED, "quota used up");
            }
        };
        SearchTrackHandler handler = handler(noQuota);

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
    }
}
