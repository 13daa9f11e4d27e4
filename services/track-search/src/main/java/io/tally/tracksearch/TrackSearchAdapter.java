package io.tally.tracksearch;

import io.tally.events.tasks.SearchTrackInput;

/**
 * A search backend that resolves a track to a video. Implementations throw {@link RetryableSearchException} for
 * failures that may pass (rate limits, 5xx, timeouts) and {@link NonRetryableSearchException} for the ones that will
 * not (bad key, bad request, no quota left): the {@code search-track} task retries only the former.
 */
public interface TrackSearchAdapter {

    /** Searches once; returns {@link SearchResult#notFound()} when the backend has no match. */
    SearchResult search(SearchTrackInput track);

    /**
     * Searches once as delivery attempt {@code attempt} (1 on the task's request topic, then the retry topics' count; a
     * redriven dead letter keeps counting). Backends that do not care about the attempt answer {@link #search(SearchTrackInput)}.
     */
    default SearchResult search(SearchTrackInput track, int attempt) {
        return search(track);
    }
}
