package io.tally.playlist;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.tally.common.topics.Topics;
import io.tally.events.ChartTrack;
import io.tally.events.ItemOutcome;
import io.tally.events.PlaylistCreated;
import io.tally.events.TaskResult;
import io.tally.events.TrackResolution;
import io.tally.events.tasks.BuildPlaylistInput;
import io.tally.events.tasks.SearchTrackOutput;
import io.tally.playlist.youtube.RefreshTokenFile;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.ServiceHttp;
import io.tally.testsupport.TallyServiceTest;
import io.tally.testsupport.TaskRequests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The playlist service's {@code build-playlist} worker with the YouTube adapter on the real broker and registry,
 * WireMock playing Google's token endpoint and the Data API: an access token that expires mid-playlist, a revoked
 * refresh token failing the task at once with the fix, and no token or secret in the logs (at DEBUG) or behind any
 * exposed actuator endpoint.
 */
@TallyServiceTest(properties = {
        "tally.playlist.adapter=youtube",
        "tally.playlist.youtube.oauth.client-id=client-it",
        "tally.playlist.youtube.max-attempts=2",
        "tally.playlist.youtube.initial-backoff=10ms",
        "logging.level.org.springframework.security=DEBUG",
        "logging.level.org.springframework.web.client=DEBUG",
        "logging.level.io.tally.playlist=DEBUG",
        "tally.api.security.api-keys[0].name=ops",
        "tally.api.security.api-keys[0].key=" + YouTubePlaylistIntegrationTest.ADMIN_KEY,
        "tally.api.security.api-keys[0].roles=USER,ADMIN"})
@ExtendWith(OutputCaptureExtension.class)
class YouTubePlaylistIntegrationTest {

    static final String ADMIN_KEY = "playlist-it-admin-key";
    private static final String REFRESH_TOKEN = "1//it-refresh-token";
    private static final String CLIENT_SECRET = "GOCSPX-it-client-secret";
    private static final String FIRST = "ya29.it-first-access-token";
    private static final String SECOND = "ya29.it-second-access-token";
    private static final List<String> SECRETS = List.of(REFRESH_TOKEN, CLIENT_SECRET, FIRST, SECOND);
    private static final WireMockServer GOOGLE = started();
    private static final Path TOKEN_FILE = storedRefreshToken();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry properties) {
        properties.add("tally.playlist.youtube.base-url", () -> GOOGLE.baseUrl() + "/youtube/v3");
        properties.add("tally.playlist.youtube.oauth.token-uri", () -> GOOGLE.baseUrl() + "/token");
        properties.add("tally.playlist.youtube.oauth.refresh-token-file", TOKEN_FILE::toString);
        // Stands in for TALLY_YOUTUBE_CLIENT_SECRET.
        properties.add("tally.playlist.youtube.oauth.client-secret", () -> CLIENT_SECRET);
    }

    @Autowired
    KafkaTestClient kafka;

    @Autowired
    ServiceHttp http;

    @Autowired
    TaskRequests tasks;

    @BeforeEach
    void resetGoogle() {
        GOOGLE.resetAll();
    }

    @AfterAll
    static void stopGoogle() {
        GOOGLE.stop();
    }

    @Test
    void buildsThePlaylistOnceAndCompletelyWhenTheAccessTokenExpiresMidway(CapturedOutput output) throws Exception {
        // Given a token endpoint that issues a first, then a second access token, and YouTube refusing the first
        // after two of three inserts
        GOOGLE.stubFor(post(urlPathEqualTo("/token")).inScenario("tokens").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(YouTubeTokenRenewalTest.accessToken(FIRST)).willSetStateTo("second"));
        GOOGLE.stubFor(post(urlPathEqualTo("/token")).inScenario("tokens").whenScenarioStateIs("second")
                .willReturn(YouTubeTokenRenewalTest.accessToken(SECOND)));
        GOOGLE.stubFor(get(urlPathEqualTo("/youtube/v3/playlists")).willReturn(okJson("{\"items\":[]}")));
        GOOGLE.stubFor(post(urlPathEqualTo("/youtube/v3/playlists")).willReturn(okJson("{\"id\":\"PL-it\"}")));
        GOOGLE.stubFor(post(urlPathEqualTo("/youtube/v3/playlistItems")).withHeader("Authorization", equalTo("Bearer " + FIRST))
                .inScenario("expiry").whenScenarioStateIs(Scenario.STARTED).willReturn(okJson("{}")).willSetStateTo("one"));
        GOOGLE.stubFor(post(urlPathEqualTo("/youtube/v3/playlistItems")).withHeader("Authorization", equalTo("Bearer " + FIRST))
                .inScenario("expiry").whenScenarioStateIs("one").willReturn(okJson("{}")).willSetStateTo("expired"));
        GOOGLE.stubFor(post(urlPathEqualTo("/youtube/v3/playlistItems")).withHeader("Authorization", equalTo("Bearer " + FIRST))
                .inScenario("expiry").whenScenarioStateIs("expired").willReturn(YouTubeTokenRenewalTest.unauthorized()));
        GOOGLE.stubFor(post(urlPathEqualTo("/youtube/v3/playlistItems")).withHeader("Authorization", equalTo("Bearer " + SECOND))
                .willReturn(okJson("{}")));
        // When the engine asks for the playlist of a chart of three found tracks
        String sourceRef = "beatport/youtube-it/" + UUID.randomUUID();
        String jobId = TaskRequests.newJob();
        build(sourceRef, jobId);
        // Then one playlist of all three videos is reported, after exactly one renewal
        List<PlaylistCreated> created = kafka.await(Topics.PLAYLISTS_CREATED.name(), PlaylistCreated.class,
                record -> record.value() != null && record.value().getJobId().equals(jobId), 1, WAIT)
                .stream().map(ConsumerRecord::value).toList();
        assertThat(created).singleElement().satisfies(playlist -> {
            assertThat(playlist.getPlaylistId()).isEqualTo("PL-it");
            assertThat(playlist.getEntryCount()).isEqualTo(3);
            assertThat(playlist.getAdapter()).isEqualTo("youtube");
        });
        GOOGLE.verify(1, postRequestedFor(urlPathEqualTo("/youtube/v3/playlists")));
        GOOGLE.verify(4, postRequestedFor(urlPathEqualTo("/youtube/v3/playlistItems")));
        GOOGLE.verify(3, postRequestedFor(urlPathEqualTo("/youtube/v3/playlistItems")).withHeader("Authorization", equalTo("Bearer " + FIRST)));
        GOOGLE.verify(2, postRequestedFor(urlPathEqualTo("/token")));
        // and no token or secret was logged, even at DEBUG
        assertThat(output.getAll()).doesNotContain(SECRETS);
    }

    @Test
    void aRevokedRefreshTokenFailsTheTaskAtOnceWithTheFix(CapturedOutput output) throws Exception {
        // Given YouTube refuses the current access token and Google has revoked the refresh token
        GOOGLE.stubFor(get(urlPathEqualTo("/youtube/v3/playlists")).willReturn(YouTubeTokenRenewalTest.unauthorized()));
        GOOGLE.stubFor(post(urlPathEqualTo("/token")).willReturn(YouTubeTokenRenewalTest.invalidGrant()));
        // When the engine asks for a chart's playlist
        String sourceRef = "beatport/youtube-revoked/" + UUID.randomUUID();
        String jobId = TaskRequests.newJob();
        build(sourceRef, jobId);
        // Then the task is answered FAILED, not retryable, saying what to do
        TaskResult result = tasks.results(jobId, 1).get(0).value();
        assertThat(result.getOutcome()).isEqualTo(ItemOutcome.FAILED);
        assertThat(result.getError().getCode()).isEqualTo(BuildPlaylistHandler.REFUSED);
        assertThat(result.getError().getRetryable()).isFalse();
        assertThat(result.getError().getMessage()).contains("re-run tally auth youtube").doesNotContain(SECRETS);
        // and the token endpoint was asked once: no retry storm
        GOOGLE.verify(1, postRequestedFor(urlPathEqualTo("/token")));
        assertThat(output.getAll()).doesNotContain(SECRETS);
    }

    @Test
    void exposesNoEnvironmentOrConfigurationEndpointAndNoSecretInThoseItExposes() throws Exception {
        // When the actuator's index is read
        HttpResponse<String> index = actuator("/actuator");
        // Then env and configprops are not exposed at all
        assertThat(index.body()).doesNotContain("/actuator/env").doesNotContain("/actuator/configprops");
        assertThat(actuator("/actuator/env").statusCode()).isEqualTo(404);
        assertThat(actuator("/actuator/configprops").statusCode()).isEqualTo(404);
        // and what is exposed shows no secret
        for (String endpoint : List.of("/actuator/health", "/actuator/info", "/actuator/prometheus", "/actuator/metrics")) {
            HttpResponse<String> response = actuator(endpoint);
            assertThat(response.statusCode()).as(endpoint).isEqualTo(200);
            assertThat(response.body()).as(endpoint).doesNotContain(SECRETS);
        }
        assertThat(actuator("/actuator/prometheus").body()).contains("tally_youtube_quota_remaining_units");
    }

    /** Sends the build-playlist task of a chart of three tracks that this job's searches all found. */
    private void build(String sourceRef, String jobId) {
        List<ChartTrack> tracks = IntStream.rangeClosed(1, 3).mapToObj(position -> ChartTrack.newBuilder()
                .setPosition(position).setTrackKey(sourceRef + "#" + position).setArtists(List.of("Artist"))
                .setTitle("Title " + position).build()).toList();
        List<SearchTrackOutput> found = tracks.stream().map(track -> SearchTrackOutput.newBuilder()
                .setTrackKey(track.getTrackKey()).setResolution(TrackResolution.FOUND).setVideoId("vid-" + track.getPosition())
                .setVideoTitle("Artist - " + track.getTitle()).build()).toList();
        tasks.send(BuildPlaylistHandler.TASK_TYPE, jobId, "playlist", null, 1, BuildPlaylistInput.newBuilder()
                .setSourceRef(sourceRef).setChartName("Beatport Top 100").setChartDate(LocalDate.of(2026, 1, 25))
                .setChartTracks(tracks).setTracks(found).setTitle("Beatport Top 100 — 2026-01-25").build());
    }

    /** As an operator would look: with an ADMIN key, so a 404 means "not exposed", not "not signed in". */
    private HttpResponse<String> actuator(String path) {
        return http.get(path, "X-API-Key", ADMIN_KEY);
    }

    private static WireMockServer started() {
        WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort());
        server.start();
        return server;
    }

    private static Path storedRefreshToken() {
        try {
            Path file = Files.createTempDirectory("tally-youtube-it").resolve("youtube-refresh-token");
            RefreshTokenFile.write(file, REFRESH_TOKEN);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
