package io.tally.playlist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tally.events.ChartTrack;
import io.tally.events.PlaylistCreated;
import io.tally.events.TrackResolution;
import io.tally.events.TrackResolved;
import io.tally.events.tasks.BuildPlaylistInput;
import io.tally.events.tasks.BuildPlaylistOutput;
import io.tally.events.tasks.SearchTrackOutput;
import io.tally.worker.FixedTaskContext;
import io.tally.worker.TaskFailedException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The build-playlist task: chart order with this job's results and the tracks table; one playlist per chart, so a
 * re-run and a redelivered task make none again; no videos, no playlist; adapter failures are thrown for retry, except
 * a refused playlist (authorization to renew by hand, quota spent), which fails at once.
 */
class BuildPlaylistHandlerTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-30T07:00:00Z"), ZoneOffset.UTC);
    private static final String CHART = "beatport/2026/11/22/top100";

    private final RecordingAdapter adapter = new RecordingAdapter();
    private final Map<String, TrackResolved> table = new HashMap<>();
    private final List<PlaylistCreated> published = new ArrayList<>();
    private final BuildPlaylistHandler handler = new BuildPlaylistHandler(adapter,
            new PlaylistMetrics(new SimpleMeterRegistry(), "fake"), new BuildPlaylistHandler.Tables() {
                @Override
                public TrackResolved track(String trackKey) {
                    return table.get(trackKey);
                }

                @Override
                public PlaylistCreated playlistOf(String sourceRef) {
                    return published.stream().filter(created -> created.getSourceRef().equals(sourceRef)).findFirst()
                            .orElse(null);
                }
            }, published::add, CLOCK);

    private static ChartTrack track(int position, String key) {
        return ChartTrack.newBuilder().setPosition(position).setTrackKey(key).setArtists(List.of("Artist " + key))
                .setTitle("Title " + key).build();
    }

    private static SearchTrackOutput result(String key, TrackResolution resolution) {
        return SearchTrackOutput.newBuilder().setTrackKey(key).setResolution(resolution)
                .setVideoId(resolution == TrackResolution.FOUND ? "video-" + key : null).build();
    }

    private void row(String key, TrackResolution resolution) {
        table.put(key, TrackResolved.newBuilder().setTrackKey(key).setArtists(List.of("Artist " + key)).setTitle("Title " + key)
                .setResolution(resolution).setVideoId(resolution == TrackResolution.FOUND ? "table-video-" + key : null)
                .setSource("offline-catalog").setResolvedAt(Instant.EPOCH).build());
    }

    private static BuildPlaylistInput input(List<SearchTrackOutput> results) {
        return BuildPlaylistInput.newBuilder().setSourceRef(CHART).setChartName("Beatport Top 100")
                .setChartDate(LocalDate.of(2026, 11, 22))
                .setChartTracks(List.of(track(3, "t3"), track(1, "t1"), track(2, "t2"), track(4, "t4")))
                .setTracks(results).setTitle("Beatport Top 100 — 2026-11-22").build();
    }

    @Test
    void makesOnePlaylistInChartOrderFromTheSearchResultsAndTheTracksTable() throws Exception {
        // Given t1 was found before (tracks table), and this job found t3 and did not find t2; t4 failed (no result)
        row("t1", TrackResolution.FOUND);
        BuildPlaylistOutput output = handler.run(input(List.of(result("t3", TrackResolution.FOUND),
                result("t2", TrackResolution.NOT_FOUND))), FixedTaskContext.of("job-1", "playlist", null));

        // Then the playlist holds t1 and t3 in chart order, t2 and t4 skipped
        assertThat(adapter.calls).singleElement().satisfies(draft -> {
            assertThat(draft.entries()).extracting(PlaylistEntry::videoId).containsExactly("table-video-t1", "video-t3");
            assertThat(draft.skippedCount()).isEqualTo(2);
            assertThat(draft.chartSize()).isEqualTo(4);
        });
        assertThat(output.getCreated()).isTrue();
        assertThat(output.getUrl()).isEqualTo("fake://playlists/" + CHART);
        assertThat(output.getEntryCount()).isEqualTo(2);
        assertThat(output.getSkippedCount()).isEqualTo(2);
        assertThat(output.getMadeBy()).isNull();
        // And the job's PlaylistCreated is written
        assertThat(published).singleElement().satisfies(created -> {
            assertThat(created.getJobId()).isEqualTo("job-1");
            assertThat(created.getSourceRef()).isEqualTo(CHART);
            assertThat(created.getAdapter()).isEqualTo("fake");
            assertThat(created.getCreatedAt()).isEqualTo(CLOCK.instant());
        });
    }

    @Test
    void makesNoSecondPlaylistForARerunOfTheChartOrARedeliveredTask() throws Exception {
        row("t1", TrackResolution.FOUND);
        BuildPlaylistOutput first = handler.run(input(List.of()), FixedTaskContext.of("job-1", "playlist", null));

        // When the same task is redelivered, and another job of the same chart builds its playlist
        BuildPlaylistOutput redelivered = handler.run(input(List.of()), FixedTaskContext.of("job-1", "playlist", null));
        BuildPlaylistOutput rerun = handler.run(input(List.of()), FixedTaskContext.of("job-2", "playlist", null));

        // Then the adapter was called once and one PlaylistCreated was written
        assertThat(adapter.calls).hasSize(1);
        assertThat(published).hasSize(1);
        // And the redelivered task answers as the first did; the re-run points at the existing playlist
        assertThat(redelivered).isEqualTo(first);
        assertThat(rerun.getCreated()).isFalse();
        assertThat(rerun.getUrl()).isEqualTo(first.getUrl());
        assertThat(rerun.getMadeBy()).isEqualTo("job-1");
    }

    @Test
    void makesNoPlaylistWhenNoTrackHasAVideo() throws Exception {
        BuildPlaylistOutput output = handler.run(input(List.of(result("t1", TrackResolution.NOT_FOUND))),
                FixedTaskContext.of("job-1", "playlist", null));

        assertThat(output.getCreated()).isFalse();
        assertThat(output.getUrl()).isNull();
        assertThat(output.getSkippedCount()).isEqualTo(4);
        assertThat(adapter.calls).isEmpty();
        assertThat(published).isEmpty();
    }

    @Test
    void throwsAnAdapterFailureForRetryAndWritesNothing() {
        row("t1", TrackResolution.FOUND);
        adapter.failure = new PlaylistAdapterException("YouTube answered 503", null);

        assertThatThrownBy(() -> handler.run(input(List.of()), FixedTaskContext.of("job-1", "playlist", null)))
                .isInstanceOf(PlaylistAdapterException.class);
        assertThat(published).isEmpty();
    }

    @Test
    void failsARefusedPlaylistAtOnceWithoutRetryAndWritesNothing() {
        // Given an adapter whose authorization must be renewed by hand
        row("t1", TrackResolution.FOUND);
        adapter.failure = new PlaylistRefusedException("the refresh token was revoked: re-run tally auth youtube", null);

        // When the task runs
        // Then it fails with playlist-refused, not retryable, with the adapter's fix, and writes nothing
        assertThatThrownBy(() -> handler.run(input(List.of()), FixedTaskContext.of("job-1", "playlist", null)))
                .isInstanceOfSatisfying(TaskFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo(BuildPlaylistHandler.REFUSED);
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains("re-run tally auth youtube");
                });
        assertThat(published).isEmpty();
    }
}
