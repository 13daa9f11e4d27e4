package io.tally.playlist;

import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tally.common.topics.Topics;
import io.tally.events.ChartTrack;
import io.tally.events.ItemOutcome;
import io.tally.events.PlaylistCreated;
import io.tally.events.TaskResult;
import io.tally.events.TrackResolution;
import io.tally.events.TrackResolved;
import io.tally.events.tasks.BuildPlaylistInput;
import io.tally.events.tasks.BuildPlaylistOutput;
import io.tally.events.tasks.SearchTrackOutput;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.TallyServiceTest;
import io.tally.testsupport.TaskRequests;
import io.tally.testsupport.TempDirs;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The playlist service as a worker of the {@code build-playlist} task, beside its topology of global stores, on the
 * real broker and registry with the file adapter writing into a temporary folder: requests as
 * the engine sends them, TaskResults on {@code tally.tasks.results}, the tracks table and the playlists made so far read
 * from the topology's global stores.
 */
@TallyServiceTest(properties = {
        "tally.playlist.adapter=file"})
class BuildPlaylistWorkerIntegrationTest {

    private static final String TYPE = BuildPlaylistHandler.TASK_TYPE;
    private static final Path OUTPUT_DIR = TempDirs.create("tally-playlist-tasks-it");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry properties) {
        properties.add("tally.playlist.file.output-dir", OUTPUT_DIR::toString);
    }

    @Autowired
    KafkaTestClient kafka;

    @Autowired
    TaskRequests tasks;

    @Autowired
    StreamsBuilderFactoryBean streams;

    @Autowired
    MeterRegistry meters;

    @Test
    void makesOnePlaylistInChartOrderFromTheSearchResultsAndTheTracksTable() throws Exception {
        // Given a chart of three tracks: #1 found by an earlier job (in the tracks table), #2 not found and #3 found by
        // this job's searches
        String job = TaskRequests.newJob();
        String chart = "beatport/it/" + UUID.randomUUID();
        knownTrack(chart + "#1", "vid-1");

        // When the engine sends the job's build-playlist task
        String taskId = tasks.send(TYPE, job, "playlist", null, 1, input(chart));

        // Then one SUCCEEDED result answers with a new playlist of two entries, one chart track skipped
        List<ConsumerRecord<String, TaskResult>> results = tasks.results(job, 1);
        assertThat(results).singleElement().satisfies(record -> {
            assertThat(record.value().getTaskId()).isEqualTo(taskId);
            assertThat(record.value().getTaskType()).isEqualTo(TYPE);
            assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED);
        });
        BuildPlaylistOutput output = tasks.output(results.get(0).value(), BuildPlaylistOutput.class);
        assertThat(output.getCreated()).isTrue();
        assertThat(output.getEntryCount()).isEqualTo(2);
        assertThat(output.getSkippedCount()).isEqualTo(1);
        assertThat(output.getMadeBy()).isNull();
        // And the file holds the table's video and the job's, in chart order
        Path m3u = Path.of(URI.create(output.getUrl()));
        assertThat(m3u.getParent()).isEqualTo(OUTPUT_DIR);
        assertThat(Files.readString(m3u)).containsSubsequence("watch?v=vid-1", "watch?v=vid-3").doesNotContain("vid-2");
        // And the job's PlaylistCreated names the chart and the playlist
        assertThat(playlistsCreated(chart, 1)).singleElement().satisfies(created -> {
            assertThat(created.getJobId()).isEqualTo(job);
            assertThat(created.getPlaylistId()).isEqualTo(output.getPlaylistId());
            assertThat(created.getUrl()).isEqualTo(output.getUrl());
        });
    }

    @Test
    void answersARedeliveredBuildWithTheSamePlaylist() {
        // Given a build task whose playlist was made, and whose PlaylistCreated the service has read back (the
        // read-your-write lag PlaylistTables documents)
        String job = TaskRequests.newJob();
        String chart = "beatport/it/" + UUID.randomUUID();
        knownTrack(chart + "#1", "vid-1");
        double madeBefore = made();
        String taskId = tasks.send(TYPE, job, "playlist", null, 1, input(chart));
        assertThat(tasks.results(job, 1)).hasSize(1);
        await("the playlist read back").atMost(WAIT).until(() -> new PlaylistTables(streams).playlistOf(chart) != null);

        // When the same task (same task id) is delivered again
        tasks.send(TYPE, job, "playlist", null, 1, input(chart));
        List<ConsumerRecord<String, TaskResult>> results = tasks.results(job, 2);

        // Then both deliveries are answered SUCCEEDED with the same playlist, the second from the job's PlaylistCreated
        assertThat(results).hasSize(2).allSatisfy(record -> {
            assertThat(record.value().getTaskId()).isEqualTo(taskId);
            assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED);
        });
        BuildPlaylistOutput first = tasks.output(results.get(0).value(), BuildPlaylistOutput.class);
        assertThat(tasks.output(results.get(1).value(), BuildPlaylistOutput.class)).isEqualTo(first);
        assertThat(first.getCreated()).isTrue();
        // And the adapter made the playlist once: one PlaylistCreated for the chart, one more playlist made
        assertThat(playlistsCreated(chart, 1)).hasSize(1);
        assertThat(made() - madeBefore).isEqualTo(1.0);
    }

    @Test
    void answersARerunOfTheChartWithThePlaylistAnotherJobMade() {
        // Given a chart whose playlist a first job made, read back by the service
        String firstJob = TaskRequests.newJob();
        String rerun = TaskRequests.newJob();
        String chart = "beatport/it/" + UUID.randomUUID();
        knownTrack(chart + "#1", "vid-1");
        tasks.send(TYPE, firstJob, "playlist", null, 1, input(chart));
        BuildPlaylistOutput made = tasks.output(tasks.results(firstJob, 1).get(0).value(), BuildPlaylistOutput.class);
        await("the playlist read back").atMost(WAIT).until(() -> new PlaylistTables(streams).playlistOf(chart) != null);

        // When another job of the same chart builds its playlist
        tasks.send(TYPE, rerun, "playlist", null, 1, input(chart));

        // Then it is answered created: false with the first job's playlist, and no second playlist is made
        BuildPlaylistOutput output = tasks.output(tasks.results(rerun, 1).get(0).value(), BuildPlaylistOutput.class);
        assertThat(output.getCreated()).isFalse();
        assertThat(output.getMadeBy()).isEqualTo(firstJob);
        assertThat(output.getPlaylistId()).isEqualTo(made.getPlaylistId());
        assertThat(output.getUrl()).isEqualTo(made.getUrl());
        assertThat(playlistsCreated(chart, 1)).singleElement()
                .satisfies(created -> assertThat(created.getJobId()).isEqualTo(firstJob));
    }

    /** Puts a FOUND row in the tracks table and waits until the service's global store has it. */
    private void knownTrack(String trackKey, String videoId) {
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(Topics.TRACKS.name(), trackKey, TrackResolved.newBuilder().setTrackKey(trackKey)
                    .setArtists(List.of("Artist 1")).setTitle("Title 1").setResolution(TrackResolution.FOUND)
                    .setVideoId(videoId).setSource("offline-catalog").setResolvedAt(Instant.now()).build())).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        await("the tracks table row").atMost(WAIT).until(() -> new PlaylistTables(streams).track(trackKey) != null);
    }

    /** The chart's three tracks and this job's search results: #2 not found, #3 found; #1 was searched before. */
    private static BuildPlaylistInput input(String chart) {
        List<ChartTrack> tracks = List.of(track(chart, 1), track(chart, 2), track(chart, 3));
        return BuildPlaylistInput.newBuilder().setSourceRef(chart).setChartName("Beatport Top 100")
                .setChartDate(LocalDate.of(2026, 11, 22)).setChartTracks(tracks)
                .setTracks(List.of(
                        SearchTrackOutput.newBuilder().setTrackKey(chart + "#2").setResolution(TrackResolution.NOT_FOUND).build(),
                        SearchTrackOutput.newBuilder().setTrackKey(chart + "#3").setResolution(TrackResolution.FOUND)
                                .setVideoId("vid-3").setVideoTitle("Artist 3 - Title 3").build()))
                .setTitle("Beatport Top 100 — 2026-11-22").build();
    }

    private static ChartTrack track(String chart, int position) {
        return ChartTrack.newBuilder().setPosition(position).setTrackKey(chart + "#" + position)
                .setArtists(List.of("Artist " + position)).setTitle("Title " + position).build();
    }

    private List<PlaylistCreated> playlistsCreated(String chart, int expected) {
        return kafka.await(Topics.PLAYLISTS_CREATED.name(), PlaylistCreated.class,
                record -> record.value() != null && record.value().getSourceRef().equals(chart), expected, WAIT)
                .stream().map(ConsumerRecord::value).toList();
    }

    /** Playlists the adapter made so far, as the service counts them. */
    private double made() {
        Counter counter = meters.find(PlaylistMetrics.PLAYLISTS).tag("outcome", "made").counter();
        return counter == null ? 0 : counter.count();
    }

}
