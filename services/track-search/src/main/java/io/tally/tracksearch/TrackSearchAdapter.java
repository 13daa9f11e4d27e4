package io.tally.tracksearch;

import io.tally.events.TrackSearchRequested;

/**
 * A search backend that resolves a track to a video. Implementations throw {@link RetryableSearchException} for
 * failures that may pass (rate limits, 5xx, timeouts) and {@link NonRetryableSearchException} for the ones that will
 * not (bad key, bad request): the worker retries only the former.
 */
public interface TrackSearchAdapter {

    /** Searches once; returns {@link SearchResult#notFound()} when the backend has no match. */
    SearchResult search(TrackSearchRequested request);

    /**
     * Searches once as delivery attempt {@code attempt} (1 on the main topic, then Spring's retry count; a redriven
     * dead letter keeps counting). Backends that do not care about the attempt answer {@link #search(TrackSearchRequested)}.
     */
    default SearchResult search(TrackSearchRequested request, int attempt) {
        return search(request);
    }
}
