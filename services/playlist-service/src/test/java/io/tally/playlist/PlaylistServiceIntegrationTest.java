package io.tally.playlist;

import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tally.common.errors.DeadLetterHeaders;
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
import io.tally.testsupport.ServiceHttp;
import io.tally.testsupport.TallyServiceTest;
import io.tally.testsupport.TempDirs;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The playlist service as a whole on a real KRaft broker (in-JVM) and a real Apicurio registry process, with
 * exactly_once_v2, the file adapter writing into a temporary folder, the HTTP endpoint and the dead-letter topic.
 */
@TallyServiceTest(properties = {
        "tally.playlist.adapter=file",
        "tally.playlist.resolve-wait=20s",
        "tally.playlist.recheck-interval=200ms",
        "tally.api.security.api-keys[0].name=test-user",
        "tally.api.security.api-keys[0].key=" + PlaylistServiceIntegrationTest.USER_KEY,
        "tally.api.security.api-keys[0].roles=USER",
        "tally.api.security.api-keys[1].name=test-admin",
        "tally.api.security.api-keys[1].key=" + PlaylistServiceIntegrationTest.ADMIN_KEY,
        "tally.api.security.api-keys[1].roles=ADMIN"})
class PlaylistServiceIntegrationTest {

    private static final Path OUTPUT_DIR = TempDirs.create("tally-playlists-it");

    static final String USER_KEY = "playlist-test-user-key";
    static final String ADMIN_KEY = "playlist-test-admin-key";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry properties) {
        properties.add("tally.playlist.file.output-dir", OUTPUT_DIR::toString);
    }

    @Autowired
    KafkaStreamsHealth streams;

    @Autowired
    ServiceHttp http;

    @Autowired
    KafkaTestClient kafka;

    @Test
    void makesOnePlaylistFileForARedeliveredJobAndSkipsTheRerunUnderExactlyOnce() throws Exception {
        // Given a published chart of three tracks, two with a video
        String sourceRef = "beatport/it/" + UUID.randomUUID();
        String jobId = "job-" + UUID.randomUUID();
        String rerunId = "rerun-" + UUID.randomUUID();
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            publishChart(producer, sourceRef);
            // When its job's completion arrives twice, then a re-run of the same chart completes
            producer.send(new ProducerRecord<>(Topics.JOB_COMPLETED.name(), jobId, completed(jobId, sourceRef))).get();
            producer.send(new ProducerRecord<>(Topics.JOB_COMPLETED.name(), jobId, completed(jobId, sourceRef))).get();
            producer.send(new ProducerRecord<>(Topics.JOB_COMPLETED.name(), rerunId, completed(rerunId, sourceRef))).get();
        }
        // Then read_committed consumers see one PlaylistCreated, a SUCCEEDED stage for the job and SKIPPED for the re-run
        List<PlaylistCreated> created = read(Topics.PLAYLISTS_CREATED.name(), PlaylistCreated.class,
                record -> record.getSourceRef().equals(sourceRef), 1);
        assertThat(created).singleElement().satisfies(playlist -> {
            assertThat(playlist.getJobId()).isEqualTo(jobId);
            assertThat(playlist.getEntryCount()).isEqualTo(2);
            assertThat(playlist.getSkippedCount()).isEqualTo(1);
            assertThat(playlist.getAdapter()).isEqualTo("file");
        });
        List<StageReported> stages = read(Topics.STAGE_REPORTED.name(), StageReported.class,
                stage -> stage.getJobId().equals(jobId) || stage.getJobId().equals(rerunId), 2);
        assertThat(stages).extracting(StageReported::getJobId, StageReported::getState).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(jobId, StageState.SUCCEEDED),
                org.assertj.core.groups.Tuple.tuple(rerunId, StageState.SKIPPED));
        // And the m3u file holds the two videos in chart order
        Path m3u = Path.of(URI.create(created.get(0).getUrl()));
        assertThat(m3u.getParent()).isEqualTo(OUTPUT_DIR);
        assertThat(Files.readString(m3u)).containsSubsequence("watch?v=vid-1", "watch?v=vid-3").doesNotContain("vid-2");
    }

    @Test
    void answersTheManualTriggerWithCreatedExistingAndProblems() throws Exception {
        // Given a chart with resolved tracks and no job
        String sourceRef = "beatport/manual/" + UUID.randomUUID();
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            publishChart(producer, sourceRef);
        }
        // When the endpoint is asked for its playlist (retrying while the global tables catch up)
        HttpResponse<String> made = await("the chart reaches the global tables").atMost(WAIT)
                .until(() -> post("{\"sourceRef\":\"" + sourceRef + "\"}"), response -> response.statusCode() != 404);
        // Then it is created, and blank or unknown charts get problem+json answers
        assertThat(made.statusCode()).isEqualTo(201);
        assertThat(made.body()).contains("\"entryCount\":2").contains(FilePlaylistAdapter.sanitize(sourceRef) + ".m3u");
        HttpResponse<String> blank = post("{\"sourceRef\":\"  \"}");
        assertThat(blank.statusCode()).isEqualTo(400);
        assertThat(blank.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        HttpResponse<String> unknown = post("{\"sourceRef\":\"no/such/chart\"}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(unknown.body()).contains("no/such/chart");
    }

    @Test
    void returnsTheExistingPlaylistWhenAJobAlreadyMadeIt() throws Exception {
        // Given a chart whose job made its playlist
        String sourceRef = "beatport/existing/" + UUID.randomUUID();
        String jobId = "job-" + UUID.randomUUID();
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            publishChart(producer, sourceRef);
            producer.send(new ProducerRecord<>(Topics.JOB_COMPLETED.name(), jobId, completed(jobId, sourceRef))).get();
        }
        read(Topics.PLAYLISTS_CREATED.name(), PlaylistCreated.class, record -> record.getSourceRef().equals(sourceRef), 1);
        // When the endpoint is asked for it
        HttpResponse<String> existing = post("{\"sourceRef\":\"" + sourceRef + "\"}");
        // Then it answers 200 with the job's playlist
        assertThat(existing.statusCode()).isEqualTo(200);
        assertThat(existing.body()).contains("\"jobId\":\"" + jobId + "\"");
    }

    @Test
    void deadLettersAPoisonRecordWithItsReasonAndExposesProbesAndMetrics() throws Exception {
        // Given a record that is not Avro on the completions topic
        String key = "poison-" + UUID.randomUUID();
        try (KafkaProducer<String, byte[]> raw = kafka.rawProducer()) {
            raw.send(new ProducerRecord<>(Topics.JOB_COMPLETED.name(), key, "not avro".getBytes(StandardCharsets.UTF_8))).get();
        }
        // Then it is in the dead-letter topic with the reason, and the service stays up with its metrics exported
        ConsumerRecord<String, byte[]> deadLetter = kafka.awaitFirstRaw(Topics.PLAYLIST_SERVICE_DLT.name(), key, WAIT);
        assertThat(DeadLetterHeaders.reason(deadLetter.headers())).contains("magic byte");
        assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
        HttpResponse<String> readiness = get("/actuator/health/readiness");
        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(get("/actuator/prometheus").body()).contains("tally_playlist_entries_total");
    }

    private void publishChart(KafkaProducer<String, SpecificRecord> producer, String sourceRef) throws Exception {
        List<ChartTrack> tracks = new ArrayList<>();
        for (int position = 1; position <= 3; position++) {
            String trackKey = sourceRef + "#" + position;
            tracks.add(ChartTrack.newBuilder().setPosition(position).setTrackKey(trackKey).setArtists(List.of("Artist " + position))
                    .setTitle("Title " + position).build());
            TrackResolution resolution = position == 2 ? TrackResolution.NOT_FOUND : TrackResolution.FOUND;
            producer.send(new ProducerRecord<>(Topics.TRACKS.name(), trackKey, TrackResolved.newBuilder().setTrackKey(trackKey)
                    .setArtists(List.of("Artist " + position)).setTitle("Title " + position).setResolution(resolution)
                    .setVideoId(resolution == TrackResolution.FOUND ? "vid-" + position : null).setSource("offline-catalog")
                    .setResolvedAt(Instant.now()).build())).get();
        }
        producer.send(new ProducerRecord<>(Topics.CHARTS_PUBLISHED.name(), sourceRef, ChartPublished.newBuilder()
                .setSourceKey(sourceRef).setJobId("scrape").setTriggerId("trigger").setPipeline("beatport-chart")
                .setChartName("Beatport Top 100").setChartDate(LocalDate.of(2024, 8, 12)).setTracks(tracks)
                .setPublishedAt(Instant.now()).build())).get();
    }

    private static JobCompleted completed(String jobId, String sourceRef) {
        return JobCompleted.newBuilder().setJobId(jobId).setPipeline("beatport-chart").setSourceRef(sourceRef)
                .setState(JobState.COMPLETED_WITH_FAILURES).setExpectedCount(3).setSucceededCount(2).setFailedCount(1)
                .setCreatedAt(Instant.now()).setCompletedAt(Instant.now()).build();
    }

    @Test
    void refusesPlaylistCreationWithoutCredentialsOrWithoutAdmin() throws Exception {
        // Given a chart that could be made into a playlist
        String sourceRef = "beatport/guarded/" + UUID.randomUUID();
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            publishChart(producer, sourceRef);
        }
        String body = "{\"sourceRef\":\"" + sourceRef + "\"}";
        // When it is asked for without a key, and with a USER key
        HttpResponse<String> anonymous = post(body, null);
        HttpResponse<String> user = post(body, USER_KEY);
        // Then 401 and 403, both problem+json, and no playlist file was written
        assertThat(anonymous.statusCode()).as(anonymous.body()).isEqualTo(401);
        assertThat(user.statusCode()).as(user.body()).isEqualTo(403);
        for (HttpResponse<String> refused : List.of(anonymous, user)) {
            assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
        }
        assertThat(OUTPUT_DIR.resolve(FilePlaylistAdapter.sanitize(sourceRef) + ".m3u")).doesNotExist();
    }

    private HttpResponse<String> post(String body) throws Exception {
        return post(body, ADMIN_KEY);
    }

    private HttpResponse<String> post(String body, String apiKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(http.uri("/api/playlists"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null) {
            request.header("X-API-Key", apiKey);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(http.uri(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Matching values, read on past the expected count so a duplicate would be seen. */
    private <T extends SpecificRecord> List<T> read(String topic, Class<T> type, java.util.function.Predicate<T> matches, int expected) {
        return kafka.await(topic, type, record -> record.value() != null && matches.test(record.value()), expected, WAIT)
                .stream().map(ConsumerRecord::value).toList();
    }

}
