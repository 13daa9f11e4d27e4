package io.tally.playlist;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.tally.common.health.KafkaStreamsHealth;
import io.tally.common.topics.Topics;
import io.tally.events.ChartTrack;
import io.tally.events.ItemOutcome;
import io.tally.events.PlaylistCreated;
import io.tally.events.TaskResult;
import io.tally.events.TrackResolution;
import io.tally.events.tasks.BuildPlaylistInput;
import io.tally.events.tasks.BuildPlaylistOutput;
import io.tally.events.tasks.SearchTrackOutput;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.TallyServiceTest;
import io.tally.testsupport.TaskRequests;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The {@code build-playlist} worker with the YouTube adapter against a fake Data API whose inserts together take longer
 * than the task consumer's {@code max.poll.interval.ms}, on the real broker and registry: the YouTube calls run on the
 * worker's task thread, outside any Streams transaction and without holding up the consumer's poll, so each chart gets
 * one playlist, every video is inserted once, each task is answered once, and the streams client keeps running.
 */
@ExtendWith(OutputCaptureExtension.class)
@TallyServiceTest(properties = {
        // One playlist (13 inserts of 0.6 s) takes longer than this: a task run on the consumer thread would be
        // kicked out of the group and redelivered, and its playlist made twice.
        "spring.kafka.consumer.properties.max.poll.interval.ms=5000",
        "tally.playlist.adapter=youtube",
        "tally.playlist.youtube.oauth-token=test-token",
        "tally.playlist.youtube.timeout=20s"})
class SlowYouTubeIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(150);
    private static final String TYPE = BuildPlaylistHandler.TASK_TYPE;
    private static final int TRACKS = 12;
    private static final int INSERT_DELAY_MS = 600;
    private static final WireMockServer YOUTUBE = new WireMockServer(wireMockConfig().dynamicPort());
    private static final Pattern VIDEO_ID = Pattern.compile("\"videoId\"\\s*:\\s*\"([^\"]+)\"");

    @DynamicPropertySource
    static void externalServers(DynamicPropertyRegistry properties) {
        if (!YOUTUBE.isRunning()) {
            YOUTUBE.start();
            YOUTUBE.stubFor(get(urlPathEqualTo("/youtube/v3/playlists"))
                    .willReturn(okJson("{\"kind\":\"youtube#playlistListResponse\",\"items\":[]}")));
            YOUTUBE.stubFor(post(urlPathEqualTo("/youtube/v3/playlists")).willReturn(aResponse().withStatus(200)
                    .withHeader("Content-Type", "application/json").withFixedDelay(INSERT_DELAY_MS)
                    .withBody("{\"kind\":\"youtube#playlist\",\"id\":\"PLslow\"}")));
            YOUTUBE.stubFor(post(urlPathEqualTo("/youtube/v3/playlistItems")).willReturn(aResponse().withStatus(200)
                    .withHeader("Content-Type", "application/json").withFixedDelay(INSERT_DELAY_MS)
                    .withBody("{\"kind\":\"youtube#playlistItem\",\"id\":\"item\"}")));
        }
        properties.add("tally.playlist.youtube.base-url", () -> YOUTUBE.baseUrl() + "/youtube/v3");
    }

    @AfterAll
    static void stopYouTube() {
        YOUTUBE.stop();
    }

    @Autowired
    KafkaStreamsHealth streams;

    @Autowired
    KafkaTestClient kafka;

    @Autowired
    TaskRequests tasks;

    @Test
    void makesOnePlaylistPerChartAndInsertsEveryVideoOnceWhenYouTubeIsSlowerThanThePollInterval(CapturedOutput output) {
        // Given two charts of 12 tracks, all found by the jobs' searches, and a YouTube that takes 0.6 s per insert
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> charts = List.of("beatport/slow-a/" + run, "beatport/slow-b/" + run);
        List<String> jobs = List.of(TaskRequests.newJob(), TaskRequests.newJob());

        // When the engine sends both jobs' build-playlist tasks, one right after the other
        for (int job = 0; job < jobs.size(); job++) {
            tasks.send(TYPE, jobs.get(job), "playlist", null, 1, input(charts.get(job), "v" + job + "-" + run + "-"));
        }

        // Then each job has one SUCCEEDED result with a new playlist of every video, and one PlaylistCreated
        for (String job : jobs) {
            List<ConsumerRecord<String, TaskResult>> results = kafka.await(Topics.TASK_RESULTS.name(), TaskResult.class,
                    KafkaTestClient.withKey(job), 1, WAIT);
            assertThat(results).singleElement().satisfies(record -> {
                assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED);
                BuildPlaylistOutput playlist = tasks.output(record.value(), BuildPlaylistOutput.class);
                assertThat(playlist.getCreated()).isTrue();
                assertThat(playlist.getEntryCount()).isEqualTo(TRACKS);
            });
        }
        List<ConsumerRecord<String, PlaylistCreated>> created = kafka.await(Topics.PLAYLISTS_CREATED.name(), PlaylistCreated.class,
                record -> jobs.contains(record.key()), jobs.size(), WAIT);
        assertThat(created).extracting(ConsumerRecord::key).containsExactlyInAnyOrderElementsOf(jobs);
        assertThat(created).allSatisfy(record -> {
            assertThat(record.value().getEntryCount()).isEqualTo(TRACKS);
            assertThat(record.value().getUrl()).isEqualTo("https://www.youtube.com/playlist?list=PLslow");
        });
        // And YouTube got one playlists.insert per chart and each video exactly once
        assertThat(YOUTUBE.findAll(postRequestedFor(urlPathEqualTo("/youtube/v3/playlists")))).hasSize(charts.size());
        Map<String, Long> insertsPerVideo = YOUTUBE.findAll(postRequestedFor(urlPathEqualTo("/youtube/v3/playlistItems"))).stream()
                .map(request -> videoId(request.getBodyAsString()))
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(insertsPerVideo).hasSize(charts.size() * TRACKS).allSatisfy((video, count) -> assertThat(count).isEqualTo(1L));
        // And the streams client kept running and nothing was fenced
        assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
        assertThat(output.getAll()).doesNotContain("ProducerFencedException").doesNotContain("InvalidPidMapping")
                .doesNotContain("InvalidProducerEpoch");
    }

    private static String videoId(String body) {
        Matcher matcher = VIDEO_ID.matcher(body);
        return matcher.find() ? matcher.group(1) : body;
    }

    /** A chart of {@code TRACKS} tracks whose searches all found a video. */
    private static BuildPlaylistInput input(String sourceRef, String videoPrefix) {
        List<ChartTrack> tracks = new ArrayList<>();
        List<SearchTrackOutput> found = new ArrayList<>();
        for (int position = 1; position <= TRACKS; position++) {
            String trackKey = sourceRef + "#" + position;
            tracks.add(ChartTrack.newBuilder().setPosition(position).setTrackKey(trackKey).setArtists(List.of("Artist " + position))
                    .setTitle("Title " + position).build());
            found.add(SearchTrackOutput.newBuilder().setTrackKey(trackKey).setResolution(TrackResolution.FOUND)
                    .setVideoId(videoPrefix + position).setVideoTitle("Artist " + position + " - Title " + position).build());
        }
        return BuildPlaylistInput.newBuilder().setSourceRef(sourceRef).setChartName("Beatport Top 100")
                .setChartDate(LocalDate.of(2024, 8, 12)).setChartTracks(tracks).setTracks(found)
                .setTitle("Beatport Top 100 — 2024-08-12").build();
    }
}
