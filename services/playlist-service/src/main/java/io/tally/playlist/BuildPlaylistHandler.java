package io.tally.playlist;

import io.tally.common.tasks.ChartTasks;
import io.tally.events.PlaylistCreated;
import io.tally.events.TrackResolved;
import io.tally.events.tasks.BuildPlaylistInput;
import io.tally.events.tasks.BuildPlaylistOutput;
import io.tally.events.tasks.SearchTrackOutput;
import io.tally.playlist.PlaylistMetrics.Outcome;
import io.tally.worker.TaskContext;
import io.tally.worker.TaskFailedException;
import io.tally.worker.TaskHandler;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code build-playlist} task (pipelines/beatport-chart.yml): the chart's tracks in chart order that have a
 * video (this job's search results first, the tracks table for the others) become one playlist through the adapter
 * (file or YouTube), and a {@code PlaylistCreated} keyed by the job. One playlist per chart: a chart whose playlist
 * another job made (a re-run) gets none again, and the output says so ({@code created: false}, {@code madeBy});
 * a redelivered task of the job that made it answers from its {@code PlaylistCreated} without calling the adapter.
 * A chart without any video makes no playlist ({@code created: false}, no URL). Adapter failures are thrown, so the
 * SDK retries them and then fails the task; a refused playlist (the YouTube authorization must be renewed by hand, or
 * the day's quota is spent) fails the task at once ({@code playlist-refused}, not retryable).
 * Known gap: two jobs of one chart building at the same moment (before either's {@code PlaylistCreated} is read back)
 * both call the adapter, which is idempotent per chart and returns the same playlist, and both write a
 * {@code PlaylistCreated}.
 */
record BuildPlaylistHandler(PlaylistAdapter adapter, PlaylistMetrics metrics, Tables tables, Created created, Clock clock)
        implements TaskHandler.Work<BuildPlaylistInput, BuildPlaylistOutput> {

    /** The task type: requests come from {@code tally.tasks.build-playlist}. */
    static final String TASK_TYPE = ChartTasks.BUILD_PLAYLIST.type();
    /** Error code of a playlist another attempt today cannot make ({@link PlaylistRefusedException}); not retried. */
    static final String REFUSED = "playlist-refused";

    private static final Logger log = LoggerFactory.getLogger(BuildPlaylistHandler.class);

    /** What the handler reads: the tracks table and the playlists made so far, by chart. */
    interface Tables {
        /** The track's row in the tracks table, or null. */
        TrackResolved track(String trackKey);

        /** The playlist made for the chart edition, or null. */
        PlaylistCreated playlistOf(String sourceRef);
    }

    /** Writes a {@code PlaylistCreated} and waits for the broker. */
    @FunctionalInterface
    interface Created {
        void publish(PlaylistCreated created) throws Exception;
    }

    @Override
    public BuildPlaylistOutput run(BuildPlaylistInput input, TaskContext context) throws Exception {
        String jobId = context.jobId();
        PlaylistCreated existing = tables.playlistOf(input.getSourceRef());
        if (existing != null && !existing.getUrl().isBlank()) {
            boolean ours = existing.getJobId().equals(jobId);
            metrics.outcome(Outcome.EXISTING);
            log.info("Job {}: chart {} has its playlist at {} (made by job {})", jobId, input.getSourceRef(),
                    existing.getUrl(), existing.getJobId());
            return output(ours, existing.getPlaylistId(), existing.getTitle(), existing.getUrl(), existing.getEntryCount(),
                    existing.getSkippedCount(), ours ? null : existing.getJobId());
        }
        Map<String, TrackResolved> searched = new HashMap<>();
        for (SearchTrackOutput result : input.getTracks()) {
            searched.put(result.getTrackKey(), new TrackResolved(result.getTrackKey(), List.of(), "", null,
                    result.getResolution(), result.getVideoId(), result.getVideoTitle(), TASK_TYPE, null, Instant.EPOCH));
        }
        PlaylistDraft draft = PlaylistBuilder.build(input.getSourceRef(), input.getChartName(), input.getChartDate(),
                input.getChartTracks(), key -> searched.containsKey(key) ? searched.get(key) : tables.track(key)).draft();
        String title = input.getTitle() != null ? input.getTitle() : draft.title();
        if (draft.entries().isEmpty()) {
            metrics.outcome(Outcome.SKIPPED);
            log.info("Job {}: no track of {} has a video ({} skipped); no playlist", jobId, input.getSourceRef(),
                    draft.skippedCount());
            return output(false, null, title, null, 0, draft.skippedCount(), null);
        }
        CreatedPlaylist made;
        try {
            made = metrics.make(adapter, draft);
        } catch (PlaylistRefusedException e) {
            // Retries within minutes cannot renew an authorization by hand or bring back a spent quota.
            throw new TaskFailedException(REFUSED, e.getMessage(), false, e);
        }
        created.publish(PlaylistCreated.newBuilder().setJobId(jobId).setSourceRef(input.getSourceRef())
                .setPlaylistId(made.playlistId()).setTitle(draft.title()).setUrl(made.url())
                .setEntryCount(draft.entries().size()).setSkippedCount(draft.skippedCount()).setAdapter(adapter.name())
                .setCreatedAt(clock.instant()).build());
        log.info("Job {}: playlist '{}' with {} tracks ({} skipped) at {}", jobId, draft.title(), draft.entries().size(),
                draft.skippedCount(), made.url());
        return output(true, made.playlistId(), draft.title(), made.url(), draft.entries().size(), draft.skippedCount(), null);
    }

    private static BuildPlaylistOutput output(boolean created, String playlistId, String title, String url, int entries,
                                              int skipped, String madeBy) {
        return BuildPlaylistOutput.newBuilder().setCreated(created).setPlaylistId(playlistId).setTitle(title).setUrl(url)
                .setEntryCount(entries).setSkippedCount(skipped).setMadeBy(madeBy).build();
    }
}
