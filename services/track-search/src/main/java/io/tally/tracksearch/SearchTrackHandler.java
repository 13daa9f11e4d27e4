package io.tally.tracksearch;

import io.tally.common.tasks.ChartTasks;
import io.tally.events.TrackResolution;
import io.tally.events.TrackResolved;
import io.tally.events.TrackSearchRequested;
import io.tally.events.tasks.SearchTrackInput;
import io.tally.events.tasks.SearchTrackOutput;
import io.tally.worker.TaskContext;
import io.tally.worker.TaskFailedException;
import io.tally.worker.TaskHandler;
import java.time.Clock;
import java.time.Instant;

/**
 * The {@code search-track} task (pipelines/beatport-chart.yml): asks the adapter, writes the track's row in the tracks
 * table (the "only new tracks" memory of the pick stage and the playlist's lookup) and answers with the resolution.
 * A FOUND or NOT_FOUND search answers; a failure that may pass is thrown and retried by the SDK's retry topics, then
 * dead-lettered on {@code tally.dlt.tasks.search-track} (a FAILED element of the job, redrivable); a failure retrying
 * cannot fix writes a FAILED row (so the next chart asks again) and fails the task at once with the adapter's code
 * ({@code invalid-request} or {@code quota-exceeded}). A redelivered task rewrites the same row.
 */
record SearchTrackHandler(TrackSearchAdapter adapter, String source, SearchMetrics metrics, SearchProperties properties,
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
        TrackSearchRequested request = TrackSearchRequested.newBuilder().setJobId(context.jobId())
                .setTrackKey(input.getTrackKey()).setArtists(input.getArtists()).setTitle(input.getTitle())
                .setMix(input.getMix()).setRequestedAt(clock.instant()).build();
        SearchResult result;
        try {
            result = search(adapter, request, context.deliveryAttempt(), metrics, properties);
        } catch (NonRetryableSearchException e) {
            tracks.write(resolved(request, TrackResolution.FAILED, SearchResult.notFound(), e.getMessage(), source,
                    clock.instant()));
            metrics.failed();
            throw new TaskFailedException(e.code(), e.getMessage(), false, e);
        }
        TrackResolution resolution = result.isFound() ? TrackResolution.FOUND : TrackResolution.NOT_FOUND;
        // The row first: once the element counts, the playlist stage may read the tracks table.
        tracks.write(resolved(request, resolution, result, null, source, clock.instant()));
        if (result.isFound()) {
            metrics.found();
        } else {
            metrics.notFound();
        }
        return SearchTrackOutput.newBuilder().setTrackKey(input.getTrackKey()).setResolution(resolution)
                .setVideoId(result.videoId()).setVideoTitle(result.videoTitle()).build();
    }

    /**
     * One adapter search as delivery attempt {@code attempt}, timed; a passing failure is counted as retried when
     * attempts are left, and thrown.
     */
    static SearchResult search(TrackSearchAdapter adapter, TrackSearchRequested request, int attempt, SearchMetrics metrics,
                               SearchProperties properties) {
        try {
            return metrics.timed(() -> adapter.search(request, attempt));
        } catch (RetryableSearchException e) {
            if (attempt < properties.retry().attempts()) {
                metrics.retried();
            }
            throw e;
        }
    }

    /** The tracks table's row of a search of {@code request} by adapter {@code source}. */
    static TrackResolved resolved(TrackSearchRequested request, TrackResolution resolution, SearchResult result,
                                  String error, String source, Instant at) {
        return TrackResolved.newBuilder()
                .setTrackKey(request.getTrackKey())
                .setArtists(request.getArtists())
                .setTitle(request.getTitle())
                .setMix(request.getMix())
                .setResolution(resolution)
                .setVideoId(result.videoId())
                .setVideoTitle(result.videoTitle())
                .setSource(source)
                .setError(error)
                .setResolvedAt(at)
                .build();
    }
}
