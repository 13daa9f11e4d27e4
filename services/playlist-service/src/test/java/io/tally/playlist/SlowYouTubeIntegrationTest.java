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
import io.tally.events.ChartPublished;
import io.tally.events.ChartTrack;
import io.tally.events.JobCompleted;
import io.tally.events.JobState;
import io.tally.events.PlaylistCreated;
import io.tally.events.StageReported;
import io.tally.events.StageState;
import io.tally.events.TrackResolution;
import io.tally.events.TrackResolved;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.TallyServiceTest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
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
 * The playlist service with the YouTube adapter against a fake Data API whose inserts together take longer than the
 * service's Streams transaction timeout, on a real KRaft broker that aborts timed-out transactions quickly: one
 * playlist per chart, every video inserted once, the streams client RUNNING and never fenced.
 */
@ExtendWith(OutputCaptureExtension.class)
@TallyServiceTest(properties = {
        // A transaction timeout well below one playlist's duration, and commits far enough apart that a task's
        // transaction is open when a playlist is decided.
        "spring.kafka.streams.properties.producer.transaction.timeout.ms=5000",
        "spring.kafka.streams.properties.commit.interval.ms=2000",
        "tally.playlist.adapter=youtube",
        "tally.playlist.youtube.oauth-token=test-token",
        "tally.playlist.youtube.timeout=20s",
        "tally.playlist.resolve-wait=20s",
        "tally.playlist.recheck-interval=200ms"})
class SlowYouTubeIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(150);
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

    @Test
    void makesOnePlaylistPerChartAndInsertsEveryVideoOnceWhenYouTubeIsSlowerThanTheTransactionTimeout(CapturedOutput output)
            throws Exception {
        // Given two published charts of 12 resolved tracks each, and a YouTube that takes 0.6 s per insert
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> charts = List.of("beatport/slow-a/" + run, "beatport/slow-b/" + run);
        List<String> jobs = List.of("job-a-" + run, "job-b-" + run);
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            for (int chart = 0; chart < charts.size(); chart++) {
                publishChart(producer, charts.get(chart), "v" + chart + "-" + run + "-");
            }
            // When both charts' jobs complete, one right after the other
            for (int job = 0; job < jobs.size(); job++) {
                producer.send(new ProducerRecord<>(Topics.JOB_COMPLETED.name(), jobs.get(job), completed(jobs.get(job), charts.get(job))));
            }
            producer.flush();
        }
        // Then each job has one committed PlaylistCreated with every video, and one SUCCEEDED playlist stage
        List<ConsumerRecord<String, PlaylistCreated>> created = kafka.await(Topics.PLAYLISTS_CREATED.name(), PlaylistCreated.class,
                record -> jobs.contains(record.key()), jobs.size(), WAIT);
        assertThat(created).extracting(ConsumerRecord::key).containsExactlyInAnyOrderElementsOf(jobs);
        assertThat(created).allSatisfy(record -> {
            assertThat(record.value().getEntryCount()).isEqualTo(TRACKS);
            assertThat(record.value().getUrl()).isEqualTo("https://www.youtube.com/playlist?list=PLslow");
        });
        List<ConsumerRecord<String, StageReported>> stages = kafka.await(Topics.STAGE_REPORTED.name(), StageReported.class,
                record -> jobs.contains(record.key()), jobs.size(), WAIT);
        assertThat(stages).extracting(record -> record.value().getState()).containsOnly(StageState.SUCCEEDED);
        assertThat(stages).extracting(ConsumerRecord::key).containsExactlyInAnyOrderElementsOf(jobs);
        // And YouTube got one playlists.insert per chart and each video exactly once
        assertThat(YOUTUBE.findAll(postRequestedFor(urlPathEqualTo("/youtube/v3/playlists")))).hasSize(charts.size());
        Map<String, Long> insertsPerVideo = YOUTUBE.findAll(postRequestedFor(urlPathEqualTo("/youtube/v3/playlistItems"))).stream()
                .map(request -> videoId(request.getBodyAsString()))
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(insertsPerVideo).hasSize(charts.size() * TRACKS).allSatisfy((video, count) -> assertThat(count).isEqualTo(1L));
        // And the streams client kept running without being fenced
        assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
        assertThat(output.getAll()).doesNotContain("ProducerFencedException").doesNotContain("InvalidPidMapping")
                .doesNotContain("InvalidProducerEpoch");
    }

    private static String videoId(String body) {
        Matcher matcher = VIDEO_ID.matcher(body);
        return matcher.find() ? matcher.group(1) : body;
    }

    private static void publishChart(KafkaProducer<String, SpecificRecord> producer, String sourceRef, String videoPrefix)
            throws Exception {
        List<ChartTrack> tracks = new ArrayList<>();
        for (int position = 1; position <= TRACKS; position++) {
            String trackKey = sourceRef + "#" + position;
            tracks.add(ChartTrack.newBuilder().setPosition(position).setTrackKey(trackKey).setArtists(List.of("Artist " + position))
                    .setTitle("Title " + position).build());
            producer.send(new ProducerRecord<>(Topics.TRACKS.name(), trackKey, TrackResolved.newBuilder().setTrackKey(trackKey)
                    .setArtists(List.of("Artist " + position)).setTitle("Title " + position).setResolution(TrackResolution.FOUND)
                    .setVideoId(videoPrefix + position).setSource("offline-catalog").setResolvedAt(Instant.now()).build())).get();
        }
        producer.send(new ProducerRecord<>(Topics.CHARTS_PUBLISHED.name(), sourceRef, ChartPublished.newBuilder()
                .setSourceKey(sourceRef).setJobId("scrape").setTriggerId("trigger").setPipeline("beatport-chart")
                .setChartName("Beatport Top 100").setChartDate(LocalDate.of(2024, 8, 12)).setTracks(tracks)
                .setPublishedAt(Instant.now()).build())).get();
    }

    private static JobCompleted completed(String jobId, String sourceRef) {
        return JobCompleted.newBuilder().setJobId(jobId).setPipeline("beatport-chart").setSourceRef(sourceRef)
                .setState(JobState.COMPLETED).setExpectedCount(TRACKS).setSucceededCount(TRACKS).setFailedCount(0)
                .setCreatedAt(Instant.now()).setCompletedAt(Instant.now()).build();
    }
}
