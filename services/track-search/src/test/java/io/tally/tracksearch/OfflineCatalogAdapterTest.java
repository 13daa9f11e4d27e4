package io.tally.tracksearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.events.tasks.SearchTrackInput;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The offline catalog's failing titles: always, or only for the first attempts so a redrive can succeed. */
class OfflineCatalogAdapterTest {

    private static final SearchTrackInput FAILING = SearchTrackInput.newBuilder()
            .setTrackKey("artist|take your places|").setArtists(List.of("Artist"))
            .setTitle("Take Your Places").setMix(null).build();

    @Test
    void failsEveryAttemptOfAFailingTitleByDefault() {
        // Given a catalog where the title fails, with no attempt limit
        OfflineCatalogAdapter adapter = new OfflineCatalogAdapter(
                new SearchProperties.Offline(List.of(), List.of("take your places"), 0));
        // When it is searched on the first and on a much later attempt, then both fail
        assertThatThrownBy(() -> adapter.search(FAILING, 1)).isInstanceOf(RetryableSearchException.class);
        assertThatThrownBy(() -> adapter.search(FAILING, 9)).isInstanceOf(RetryableSearchException.class);
    }

    @Test
    void findsAFailingTitleOnceItsFailingAttemptsAreUsedUp() {
        // Given a catalog where the title fails its first 3 attempts
        OfflineCatalogAdapter adapter = new OfflineCatalogAdapter(
                new SearchProperties.Offline(List.of(), List.of("take your places"), 3));
        // When it is searched on attempt 3 and on attempt 4 (a redriven dead letter)
        // Then attempt 3 fails and attempt 4 finds the video
        assertThatThrownBy(() -> adapter.search(FAILING, 3)).isInstanceOf(RetryableSearchException.class);
        SearchResult fourth = adapter.search(FAILING, 4);
        assertThat(fourth.isFound()).isTrue();
        assertThat(fourth.videoId()).isEqualTo(OfflineCatalogAdapter.videoId(FAILING.getTrackKey()));
    }
}
