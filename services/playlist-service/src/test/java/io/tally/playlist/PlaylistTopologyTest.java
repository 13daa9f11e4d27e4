package io.tally.playlist;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.topics.Topics;
import io.tally.events.ChartPublished;
import io.tally.events.ChartTrack;
import io.tally.events.PlaylistCreated;
import io.tally.events.TrackResolution;
import io.tally.events.TrackResolved;
import io.tally.testsupport.TallyTopologyDriver;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The playlist service's tables in a {@link TallyTopologyDriver}: the charts and tracks global stores skip what they
 * cannot read, and the playlist made for a chart is the first {@code PlaylistCreated} of it, whichever arrives first.
 */
class PlaylistTopologyTest {

    private static final Instant START = TallyTopologyDriver.START;
    private static final String SOURCE = "beatport/2024/08/12/top100";

    private final TallyTopologyDriver tally = new TallyTopologyDriver("playlist-service", Topics.PLAYLIST_SERVICE_DLT,
            (properties, serdes, meters) -> PlaylistTopology.build(serdes));

    @AfterEach
    void closeDriver() {
        tally.close();
    }

    @Test
    void skipsUnreadableChartAndTrackRecordsAndKeepsTheRowsTheyWouldHaveReplaced() {
        // Given a chart and a FOUND track in the tables
        TestInputTopic<String, ChartPublished> charts = tally.input(Topics.CHARTS_PUBLISHED);
        TestInputTopic<String, TrackResolved> tracks = tally.input(Topics.TRACKS);
        charts.pipeInput(SOURCE, chart());
        tracks.pipeInput("t1", found("t1", "video1"));

        // When unreadable records arrive on both topics, one of them over the known track
        tally.rawInput(Topics.CHARTS_PUBLISHED).pipeInput("beatport/garbage", "not avro".getBytes(StandardCharsets.UTF_8));
        // Registry framing with a schema id nobody registered
        tally.rawInput(Topics.TRACKS).pipeInput("t1", new byte[] {0, 0, 0, 0x7f, 0x7f, 1});

        // Then the tables are as if they never came, and later records are still read
        tracks.pipeInput("t2", found("t2", "video2"));
        assertThat(this.<ChartPublished>store(PlaylistTopology.CHARTS_STORE).get(SOURCE)).isEqualTo(chart());
        assertThat(this.<ChartPublished>store(PlaylistTopology.CHARTS_STORE).get("beatport/garbage")).isNull();
        assertThat(this.<TrackResolved>store(PlaylistTopology.TRACKS_STORE).get("t1").getVideoId()).isEqualTo("video1");
        assertThat(this.<TrackResolved>store(PlaylistTopology.TRACKS_STORE).get("t2").getVideoId()).isEqualTo("video2");
    }

    @Test
    void keepsTheEarliestPlaylistOfAChartWhateverOrderTheyArriveInAndSkipsThoseWithoutUrl() {
        // Given the playlists made for one chart by three jobs, read latest first, and a placeholder without URL
        TestInputTopic<String, PlaylistCreated> created = tally.input(Topics.PLAYLISTS_CREATED);
        created.pipeInput("job-3", playlist("job-3", START.plusSeconds(20), "https://example/3"));
        created.pipeInput("job-1", playlist("job-1", START, "https://example/1"));
        created.pipeInput("job-2", playlist("job-2", START.plusSeconds(10), "https://example/2"));
        created.pipeInput("job-0", playlist("job-0", START.minusSeconds(10), ""));
        // And a tombstone and an unreadable record, keyed by job as the topic is
        created.pipeInput("job-1", (PlaylistCreated) null);
        tally.rawInput(Topics.PLAYLISTS_CREATED).pipeInput("job-4", "not avro".getBytes(StandardCharsets.UTF_8));

        // Then the chart's row is the earliest playlist with a URL, keyed by the chart
        PlaylistCreated kept = this.<PlaylistCreated>store(PlaylistTopology.CHART_PLAYLISTS_STORE).get(SOURCE);
        assertThat(kept.getJobId()).isEqualTo("job-1");
        assertThat(kept.getUrl()).isEqualTo("https://example/1");
        assertThat(this.<PlaylistCreated>store(PlaylistTopology.CHART_PLAYLISTS_STORE).get("job-1")).isNull();
    }

    private <V> KeyValueStore<String, V> store(String name) {
        return tally.driver().getKeyValueStore(name);
    }

    private static ChartPublished chart() {
        return ChartPublished.newBuilder().setSourceKey(SOURCE).setJobId("scrape-job").setTriggerId("trigger")
                .setPipeline("beatport-chart").setChartName("Beatport Top 100").setChartDate(LocalDate.of(2024, 8, 12))
                .setTracks(List.of(ChartTrack.newBuilder().setPosition(1).setTrackKey("t1").setArtists(List.of("Artist 1"))
                        .setTitle("Title 1").build()))
                .setPublishedAt(START).build();
    }

    private static TrackResolved found(String trackKey, String videoId) {
        return TrackResolved.newBuilder().setTrackKey(trackKey).setArtists(List.of("Artist")).setTitle("Title")
                .setResolution(TrackResolution.FOUND).setVideoId(videoId).setSource("offline-catalog").setResolvedAt(START)
                .build();
    }

    private static PlaylistCreated playlist(String jobId, Instant createdAt, String url) {
        return PlaylistCreated.newBuilder().setJobId(jobId).setSourceRef(SOURCE).setPlaylistId(url.isEmpty() ? "" : "pl")
                .setTitle("Beatport Top 100 — 2024-08-12").setUrl(url).setEntryCount(2).setSkippedCount(2)
                .setAdapter("fake").setCreatedAt(createdAt).build();
    }
}
