package io.tally.tracksearch;

import io.tally.common.tasks.ChartTasks;
import io.tally.events.TrackResolution;
import io.tally.events.TrackResolved;
import io.tally.events.tasks.SearchTrackInput;
import io.tally.events.tasks.SearchTrackOutput;
import io.tally.worker.TaskContext;
import io.tally.worker.TaskFailedException;
import io.tally.worker.TaskHandler;
import java.time.Clock;

/**
 * The {@code search-track} task (pipelines/beatport-chart.yml): asks the adapter, writes the track's row in the tracks
 * table (the "only new tracks" memory of the pick stage and the playlist's lookup) and answers with the resolution.
 * A FOUND or NOT_FOUND search answers; a failure that may pass is thrown and retried by the SDK's retry topics, then
 * dead-lettered on {@code tally.dlt.tasks.search-track} (a FAILED element of the job, redrivable); a failure retrying
 * cannot fix writes a FAILED row (so the next chart asks again) and fails the task at once with the adapter's code
 * ({@code invalid-request} or {@code quota-exceeded}). A redelivered task rewrites the same row.
 * Known gap: a search whose retries are spent writes no row; the next chart asks again all the same (the pick stage
 * treats a track without a row like a FAILED one).
 *
 * @param attempts the worker's deliveries of one task ({@code tally.worker…retry.attempts}): a passing failure before
 *                 the last one is counted as retried
 */
record SearchTrackHandler(TrackSearchAdapter adapter, String source, SearchMetrics metrics, int attempts,
                          TrackTable tracks, Clock clock)
        implements TaskHandler.Work<SearchTrackInput, SearchTrackOutput> {

    /** The task type: requests come from {@code tally.tasks.search-track}. */
    static final String TASK_TYPE = ChartTasks.SEARCH_TRACK.type();

    /** Writes a row of the tracks table and waits for the broker. */
    @FunctionalInterface
    interface TrackTable {
        void write(TrackResolved row) throws Exception;
    }

    @Override
    public SearchTrackOutput run(SearchTrackInput input, TaskContext context) throws Exception {
        SearchResult result;
        try {
            result = search(input, context.deliveryAttempt());
        } catch (NonRetryableSearchException e) {
            tracks.write(row(input, TrackResolution.FAILED, SearchResult.notFound(), e.getMessage()));
            metrics.failed();
            throw new TaskFailedException(e.code(), e.getMessage(), false, e);
        }
        TrackResolution resolution = result.isFound() ? TrackResolution.FOUND : TrackResolution.NOT_FOUND;
        // The row first: once the element counts, the playlist stage may read the tracks table.
        tracks.write(row(input, resolution, result, null));
        if (result.isFound()) {
            metrics.found();
        } else {
            metrics.notFound();
        }
        return SearchTrackOutput.newBuilder().setTrackKey(input.getTrackKey()).setResolution(resolution)
                .setVideoId(result.videoId()).setVideoTitle(result.videoTitle()).build();
    }

    /** One adapter search as delivery {@code attempt}, timed; a passing failure is counted as retried when deliveries are left. */
    private SearchResult search(SearchTrackInput input, int attempt) {
        try {
            return metrics.timed(() -> adapter.search(input, attempt));
        } catch (RetryableSearchException e) {
            if (attempt < attempts) {
                metrics.retried();
            }
            throw e;
        }
    }

    private TrackResolved row(SearchTrackInput input, TrackResolution resolution, SearchResult result, String error) {
        return TrackResolved.newBuilder()
                .setTrackKey(input.getTrackKey())
                .setArtists(input.getArtists())
                .setTitle(input.getTitle())
                .setMix(input.getMix())
                .setResolution(resolution)
                .setVideoId(result.videoId())
                .setVideoTitle(result.videoTitle())
                .setSource(source)
                .setError(error)
                .setResolvedAt(clock.instant())
                .build();
    }
}
