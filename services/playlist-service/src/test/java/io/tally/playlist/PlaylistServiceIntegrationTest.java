package io.tally.playlist;

import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tally.common.health.KafkaStreamsHealth;
import io.tally.common.topics.Topics;
import io.tally.events.ChartPublished;
import io.tally.events.ChartTrack;
import io.tally.events.PlaylistCreated;
import io.tally.events.TrackResolution;
import io.tally.events.TrackResolved;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.ServiceHttp;
import io.tally.testsupport.TallyServiceTest;
import io.tally.testsupport.TempDirs;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * The playlist service as a whole on a real KRaft broker (in-JVM) and a real Apicurio registry process, with the file
 * adapter writing into a temporary folder: the on-demand endpoint over the global tables (created, existing, problems,
 * access), readiness and metrics.
 */
@TallyServiceTest(properties = {
        "tally.playlist.adapter=file",
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
    void returnsThePlaylistAJobAlreadyMadeWithoutMakingItAgain() throws Exception {
        // Given a chart whose playlist a job's build-playlist task made and reported on tally.playlists.created
        String sourceRef = "beatport/existing/" + UUID.randomUUID();
        String jobId = "job-" + UUID.randomUUID();
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            publishChart(producer, sourceRef);
            producer.send(new ProducerRecord<>(Topics.PLAYLISTS_CREATED.name(), jobId, PlaylistCreated.newBuilder()
                    .setJobId(jobId).setSourceRef(sourceRef).setPlaylistId("pl-job").setTitle("Beatport Top 100 — 2024-08-12")
                    .setUrl("https://example.test/pl-job").setEntryCount(2).setSkippedCount(1).setAdapter("file")
                    .setCreatedAt(Instant.now()).build())).get();
        }
        // When the endpoint is asked for it (retrying while the global tables catch up)
        HttpResponse<String> existing = await("the job's playlist reaches the global table").atMost(WAIT)
                .until(() -> post("{\"sourceRef\":\"" + sourceRef + "\"}"), response -> response.statusCode() == 200);
        // Then it answers 200 with the job's playlist, and the adapter wrote no file for it
        assertThat(existing.body()).contains("\"jobId\":\"" + jobId + "\"").contains("https://example.test/pl-job");
        assertThat(OUTPUT_DIR.resolve(FilePlaylistAdapter.sanitize(sourceRef) + ".m3u")).doesNotExist();
    }

    @Test
    void exposesReadinessAndThePlaylistMetricsWhileTheTablesRun() throws Exception {
        // When the running service is probed
        HttpResponse<String> readiness = get("/actuator/health/readiness");
        // Then the streams client that holds the tables runs, readiness is UP, and the playlist meters are exported
        assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
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
}
