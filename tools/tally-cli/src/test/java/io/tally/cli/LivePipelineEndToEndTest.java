package io.tally.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.RequestMethod;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.tally.common.kafka.AvroSerdes;
import io.tally.events.JobState;
import io.tally.localruntime.LocalStack;
import io.tally.playlist.youtube.RefreshTokenFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.web.util.HtmlUtils;

/** The chart pipeline on its live adapters, WireMock playing Beatport, YouTube and Google's token endpoint. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(600)
@ExtendWith(OutputCaptureExtension.class)
class LivePipelineEndToEndTest {

    /**
     * A real page cut down: the 2026-01-25 Top 100 trimmed to 12 of its tracks (ampersands, accents, trailing spaces)
     * in the real {@code __NEXT_DATA__} structure (see its header comment). Read where the scraper's tests keep it, so
     * there is one copy.
     */
    private static final Path SAVED_PAGE = Path.of("../../services/chart-scraper/src/test/resources/beatport/top-100.html");
    private static final Pattern NEXT_DATA = Pattern.compile(
            "<script id=\"__NEXT_DATA__\" type=\"application/json\">(.*?)</script>", Pattern.DOTALL);
    private static final Duration SETTLE = Duration.ofMinutes(3);
    /** The track YouTube has no video for: a search answered with zero items. */
    private static final String NOT_FOUND_TITLE = "Pump Up The Jam";
    /** Item inserts YouTube accepts with the first access token before it answers 401 for it. */
    private static final int INSERTS_WITH_FIRST_TOKEN = 4;
    private static final String PLAYLIST_ID = "PLtallyLiveE2eBeatportTop100";
    private static final String ITEMS = "/youtube/v3/playlistItems";
    private static final String TOKEN = "/token";

    // Secrets in their real shapes, so a leak would look like one.
    private static final String API_KEY = "AIzaSyLiveE2eApiKey-0123456789abcdefg";
    private static final String CLIENT_ID = "123456789012-livee2e.apps.googleusercontent.com";
    private static final String CLIENT_SECRET = "GOCSPX-liveE2eClientSecret01";
    private static final String REFRESH_TOKEN = "1//09liveE2eRefreshTokenCgYIARAAGAkSNwF";
    private static final String FIRST = "ya29.a0liveE2eFirstAccessToken";
    private static final String SECOND = "ya29.a0liveE2eSecondAccessToken";
    private static final List<String> SECRETS = List.of(API_KEY, CLIENT_SECRET, REFRESH_TOKEN, FIRST, SECOND);

    @TempDir
    static Path output;

    static WireMockServer beatport;
    static WireMockServer youtube;
    static WireMockServer google;
    static LocalStack stack;
    static AvroSerdes serdes;
    static List<PageTrack> chart;
    /**
     * What the run printed, start-up included, taken at the end of the first test: the extension records each test's
     * output apart from the class's, so a later test would not see the first one's.
     */
    static String runOutput;
    static final Map<String, Level> levelsBefore = new HashMap<>();

    /** A track of the saved page as YouTube is asked for it, and the video the fake answers with. */
    record PageTrack(List<String> artists, String title, String mix, long beatportId) {

        /** The documented search: {@code <artists> <title> <mix>}, space-separated, names as on the page. */
        String query() {
            List<String> parts = new ArrayList<>(artists);
            parts.add(title);
            parts.add(mix);
            return String.join(" ", parts);
        }

        /** 11 characters, as YouTube's ids. */
        String videoId() {
            return "bpv" + beatportId;
        }

        boolean found() {
            return !title.strip().equals(NOT_FOUND_TITLE);
        }
    }

    @BeforeAll
    static void startThePipelineAgainstTheFakes() throws IOException {
        // What an operator's log file holds (INFO), with the YouTube adapters and Spring Security at DEBUG: the secret
        // check below must see what they write about keys and tokens. org.springframework.web.client stays at INFO, as
        // the playlist service requires: at DEBUG Spring prints the token request's body (client secret, refresh token).
        logAt(Level.INFO, "io.tally", "org.springframework");
        logAt(Level.DEBUG, "io.tally.tracksearch", "io.tally.playlist", "org.springframework.security");
        String page = Files.readString(SAVED_PAGE);
        chart = tracksOf(page);
        beatport = started();
        youtube = started();
        google = started();
        beatportServes(page);
        youtubeSearchFinds(chart);
        youtubePlaylistsAcceptTheFirstTokenFor(INSERTS_WITH_FIRST_TOKEN);
        googleIssuesTwoAccessTokens();
        Path refreshTokenFile = output.resolve("secrets").resolve("youtube-refresh-token");
        // As `tally auth youtube` leaves it: one line, mode 600.
        RefreshTokenFile.write(refreshTokenFile, REFRESH_TOKEN);

        stack = LocalStack.startInfrastructure(new LocalStack.Settings(output.resolve("data"), 0, 0, 0,
                Duration.ofMinutes(4), System.out::println));
        stack.startServices(withLiveAdapters(PipelineServices.offline(output, false, Map.of()), Map.of(
                PipelineServices.SCRAPER, List.of("--tally.scraper.source=beatport",
                        "--tally.scraper.beatport.base-url=" + beatport.baseUrl()),
                PipelineServices.SEARCH, List.of("--tally.search.adapter=youtube",
                        "--tally.search.youtube.base-url=" + youtube.baseUrl() + "/youtube/v3",
                        "--tally.search.youtube.api-key=" + API_KEY,
                        // The default search bucket (100 a day) would fit 12 tracks, but not a full chart and its reruns.
                        "--tally.search.youtube.quota.daily-units=10000"),
                PipelineServices.PLAYLIST, List.of("--tally.playlist.adapter=youtube",
                        "--tally.playlist.youtube.base-url=" + youtube.baseUrl() + "/youtube/v3",
                        "--tally.playlist.youtube.oauth.client-id=" + CLIENT_ID,
                        "--tally.playlist.youtube.oauth.client-secret=" + CLIENT_SECRET,
                        "--tally.playlist.youtube.oauth.token-uri=" + google.baseUrl() + TOKEN,
                        "--tally.playlist.youtube.oauth.refresh-token-file=" + refreshTokenFile))));
        serdes = AvroSerdes.forRegistry(stack.registryUrl(), false);
    }

    @AfterAll
    static void stopThePipeline() {
        if (stack != null) {
            stack.close();
        }
        for (WireMockServer server : new WireMockServer[] {beatport, youtube, google}) {
            if (server != null) {
                server.stop();
            }
        }
        levelsBefore.forEach((name, level) ->
                ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(name)).setLevel(level));
    }

    @Test
    @Order(1)
    void buildsOnePlaylistOfEveryFoundVideoInChartOrderThoughTheAccessTokenExpiresMidway(CapturedOutput captured) {
        // Given the saved page's 12 tracks, one of which YouTube finds no video for
        List<String> foundVideos = chart.stream().filter(PageTrack::found).map(PageTrack::videoId).toList();
        assertThat(chart).hasSize(12);
        assertThat(foundVideos).hasSize(11);

        // When the chart pipeline is triggered by hand
        String jobId = DemoCommand.trigger(stack.port(PipelineServices.SCHEDULER));
        PipelineWatcher.Outcome outcome = StackTopics.watch(stack.bootstrapServers(), serdes, jobId, SETTLE);
        runOutput = captured.getAll();

        // Then the job completes once, the track without a video skipped, not failed
        assertThat(outcome.settled()).as("settled; %s; last status %s",
                StackTopics.stillness(stack.bootstrapServers()), outcome.status()).isTrue();
        assertThat(outcome.completions()).singleElement().satisfies(done -> {
            assertThat(done.getState()).isEqualTo(JobState.COMPLETED);
            assertThat(done.getExpectedCount()).isEqualTo(12);
            assertThat(done.getSucceededCount()).isEqualTo(11);
            assertThat(done.getSkippedCount()).isEqualTo(1);
        });
        // And Beatport was asked once for the page, and YouTube once per track, with the key
        beatport.verify(1, getRequestedFor(urlPathEqualTo("/top-100")));
        youtube.verify(12, getRequestedFor(urlPathEqualTo("/youtube/v3/search"))
                .withQueryParam("key", equalTo(API_KEY)));
        // And one PlaylistCreated for the job holds every found track
        assertThat(outcome.playlists()).singleElement().satisfies(playlist -> {
            assertThat(playlist.getAdapter()).isEqualTo("youtube");
            assertThat(playlist.getPlaylistId()).isEqualTo(PLAYLIST_ID);
            assertThat(playlist.getEntryCount()).isEqualTo(foundVideos.size());
            assertThat(playlist.getSkippedCount()).isEqualTo(1);
        });
        // And YouTube made one playlist and accepted each found video exactly once, in chart order
        youtube.verify(1, postRequestedFor(urlPathEqualTo("/youtube/v3/playlists")));
        assertThat(acceptedItemInserts()).containsExactlyElementsOf(foundVideos);
        // And the one insert refused with the expired token was the next video, retried once with the renewed token
        List<LoggedRequest> refused = refusedItemInserts();
        assertThat(refused).singleElement().satisfies(request -> {
            assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + FIRST);
            assertThat(videoIdOf(request)).isEqualTo(foundVideos.get(INSERTS_WITH_FIRST_TOKEN));
        });
        youtube.verify(foundVideos.size() + 1, postRequestedFor(urlPathEqualTo(ITEMS)));
        // And the token endpoint was asked exactly twice: the first token, and its one renewal
        google.verify(2, postRequestedFor(urlPathEqualTo(TOKEN)));
    }

    @Test
    @Order(2)
    void leavesNoApiKeyClientSecretOrTokenInTheOutputOrTheRefreshTokenFileOpenToOthers() throws IOException {
        // Given the run above has settled, its services logging into the captured output
        assertThat(runOutput).as("the first test ran").isNotNull();

        // When the output of the whole run is read
        String all = runOutput;

        // Then it shows the run up to the renewal (so the check reads the real output), and none of the secrets
        assertThat(all).contains("refused the access token (401)");
        assertThat(all).doesNotContain(SECRETS);
        // And the refresh token stayed in its owner-only file
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
                output.resolve("secrets").resolve("youtube-refresh-token")))).isEqualTo("rw-------");
    }

    /**
     * The offline services with the chart, search and playlist switched to their live adapters: each one's offline
     * adapter argument dropped and {@code live} added, whether PipelineServices passes its defaults as arguments or not.
     */
    private static List<LocalStack.Service> withLiveAdapters(List<LocalStack.Service> offline, Map<String, List<String>> live) {
        List<String> offlineChoices = List.of("--tally.scraper.source=", "--tally.search.adapter=", "--tally.playlist.adapter=");
        List<LocalStack.Service> services = new ArrayList<>();
        for (LocalStack.Service service : offline) {
            if (!live.containsKey(service.name())) {
                services.add(service);
                continue;
            }
            List<String> arguments = new ArrayList<>(service.arguments().stream()
                    .filter(argument -> offlineChoices.stream().noneMatch(argument::startsWith)).toList());
            arguments.addAll(live.get(service.name()));
            services.add(new LocalStack.Service(service.name(), service.application(), service.port(), arguments));
        }
        assertThat(services).extracting(LocalStack.Service::name).containsAll(live.keySet());
        return services;
    }

    /** The tracks of the page's {@code __NEXT_DATA__} in chart order, read here independently of the scraper. */
    private static List<PageTrack> tracksOf(String page) throws IOException {
        Matcher data = NEXT_DATA.matcher(page);
        assertThat(data.find()).as("__NEXT_DATA__ in %s", SAVED_PAGE).isTrue();
        List<PageTrack> tracks = new ArrayList<>();
        for (JsonNode query : new ObjectMapper().readTree(data.group(1))
                .at("/props/pageProps/dehydratedState/queries")) {
            for (JsonNode track : query.at("/state/data/results")) {
                List<String> artists = new ArrayList<>();
                track.get("artists").forEach(artist -> artists.add(artist.get("name").asText()));
                tracks.add(new PageTrack(artists, track.get("name").asText(), track.get("mix_name").asText(),
                        track.get("id").asLong()));
            }
        }
        return tracks;
    }

    private static void beatportServes(String page) {
        // Beatport turns away clients that do not look like a browser.
        beatport.stubFor(get(urlPathEqualTo("/top-100")).withHeader("User-Agent", containing("Mozilla"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/html; charset=utf-8").withBody(page)));
    }

    /** search.list: one video per track keyed on its exact query, zero items for the not-found one. */
    private static void youtubeSearchFinds(List<PageTrack> tracks) {
        ObjectMapper json = new ObjectMapper();
        for (PageTrack track : tracks) {
            ObjectNode body = json.createObjectNode().put("kind", "youtube#searchListResponse")
                    .put("etag", "K6SewpCUG9PNagbScQTU1o7m1nI").put("regionCode", "DE");
            if (track.found()) {
                body.put("nextPageToken", "CAEQAA");
                body.putObject("pageInfo").put("totalResults", 1000000).put("resultsPerPage", 1);
                ObjectNode item = body.putArray("items").addObject().put("kind", "youtube#searchResult")
                        .put("etag", "ICY6yc_gvYfR46FwbDYkZajcCA4");
                item.putObject("id").put("kind", "youtube#video").put("videoId", track.videoId());
                // YouTube HTML-escapes titles ("Walker &amp; Royce"); the adapter unescapes them.
                String title = String.join(", ", track.artists()) + " - " + track.title().strip() + " (" + track.mix() + ")";
                item.putObject("snippet").put("publishedAt", "2026-01-09T17:00:11Z").put("channelId", "UCM8klG0KZcbyoAMwT9mkZDA")
                        .put("title", HtmlUtils.htmlEscape(title)).put("description", "Provided to YouTube by Beatport")
                        .put("channelTitle", track.artists().get(0) + " - Topic").put("liveBroadcastContent", "none")
                        .put("publishTime", "2026-01-09T17:00:11Z");
            } else {
                body.putObject("pageInfo").put("totalResults", 0).put("resultsPerPage", 0);
                body.putArray("items");
            }
            youtube.stubFor(get(urlPathEqualTo("/youtube/v3/search")).withQueryParam("q", equalTo(track.query()))
                    .withQueryParam("key", equalTo(API_KEY)).withQueryParam("part", equalTo("snippet"))
                    .withQueryParam("type", equalTo("video")).willReturn(okJson(body.toString())));
        }
    }

    /**
     * playlists.list (no playlist yet), playlists.insert, playlistItems.list and playlistItems.insert for either
     * access token, except that the first one is refused with 401 after {@code inserts} item inserts (it "expired").
     * The fake keeps no record of what was inserted: a second delivery attempt would list no playlist and insert
     * another, which the test forbids; the expiry must be handled within the one delivery.
     */
    private static void youtubePlaylistsAcceptTheFirstTokenFor(int inserts) {
        String eitherToken = "Bearer (" + Pattern.quote(FIRST) + "|" + Pattern.quote(SECOND) + ")";
        youtube.stubFor(get(urlPathEqualTo("/youtube/v3/playlists")).withQueryParam("mine", equalTo("true"))
                .withHeader("Authorization", matching(eitherToken))
                .willReturn(okJson("""
                        {"kind": "youtube#playlistListResponse", "etag": "ld9biNPKjAjgjV7EZ4EKeEGrhao",
                         "pageInfo": {"totalResults": 0, "resultsPerPage": 50}, "items": []}""")));
        youtube.stubFor(post(urlPathEqualTo("/youtube/v3/playlists")).withQueryParam("part", equalTo("snippet,status"))
                .withHeader("Authorization", matching(eitherToken))
                .willReturn(okJson("""
                        {"kind": "youtube#playlist", "etag": "Q6a7NyPY06orSVqdR-YCXzvcPd4", "id": "%s",
                         "snippet": {"publishedAt": "2026-01-25T18:00:00Z", "channelId": "UCCTLP0aZxWx25BZYzbzHjvA",
                                     "title": "{{jsonPath request.body '$.snippet.title'}}", "channelTitle": "Tally"},
                         "status": {"privacyStatus": "{{jsonPath request.body '$.status.privacyStatus'}}"}}"""
                        .formatted(PLAYLIST_ID)).withTransformers("response-template")));
        youtube.stubFor(get(urlPathEqualTo(ITEMS)).withHeader("Authorization", matching(eitherToken))
                .willReturn(okJson("""
                        {"kind": "youtube#playlistItemListResponse", "etag": "Fyy6Ej8PVfIhPhKje-dy6ixHI28",
                         "pageInfo": {"totalResults": 0, "resultsPerPage": 50}, "items": []}""")));
        ResponseDefinitionBuilder itemInserted = okJson("""
                {"kind": "youtube#playlistItem", "etag": "Fyy6Ej8PVfIhPhKje-dy6ixHI28", "id": "UExpdmVFMmUuNTZCNDRGNkQxMDU1N0NDNg",
                 "snippet": {"publishedAt": "2026-01-25T18:00:01Z", "channelId": "UCCTLP0aZxWx25BZYzbzHjvA",
                             "playlistId": "{{jsonPath request.body '$.snippet.playlistId'}}",
                             "resourceId": {"kind": "youtube#video",
                                            "videoId": "{{jsonPath request.body '$.snippet.resourceId.videoId'}}"}}}""")
                .withTransformers("response-template");
        // The first token's life, counted in inserts: states 0..inserts-1 accept it, then it is refused for good.
        for (int accepted = 0; accepted < inserts; accepted++) {
            youtube.stubFor(post(urlPathEqualTo(ITEMS)).withHeader("Authorization", equalTo("Bearer " + FIRST))
                    .inScenario("first token").whenScenarioStateIs(accepted == 0 ? Scenario.STARTED : "accepted " + accepted)
                    .willReturn(itemInserted).willSetStateTo(accepted + 1 == inserts ? "expired" : "accepted " + (accepted + 1)));
        }
        youtube.stubFor(post(urlPathEqualTo(ITEMS)).withHeader("Authorization", equalTo("Bearer " + FIRST))
                .inScenario("first token").whenScenarioStateIs("expired").willReturn(unauthorized()));
        youtube.stubFor(post(urlPathEqualTo(ITEMS)).withHeader("Authorization", equalTo("Bearer " + SECOND))
                .willReturn(itemInserted));
        // Like YouTube: any playlist call without a token it knows is refused.
        youtube.stubFor(any(urlPathMatching("/youtube/v3/playlist.*")).atPriority(10).willReturn(unauthorized()));
    }

    /** The refresh grant of the stored token and client, answered with a first access token, then a second one. */
    private static void googleIssuesTwoAccessTokens() {
        for (String[] issue : new String[][] {{Scenario.STARTED, FIRST, "renewed"}, {"renewed", SECOND, "no more"}}) {
            google.stubFor(post(urlPathEqualTo(TOKEN)).withFormParam("grant_type", equalTo("refresh_token"))
                    .withFormParam("refresh_token", equalTo(REFRESH_TOKEN)).withFormParam("client_id", equalTo(CLIENT_ID))
                    .withFormParam("client_secret", equalTo(CLIENT_SECRET))
                    .inScenario("tokens").whenScenarioStateIs(issue[0]).willSetStateTo(issue[2])
                    .willReturn(okJson("""
                            {"access_token": "%s", "expires_in": 3599,
                             "scope": "https://www.googleapis.com/auth/youtube", "token_type": "Bearer"}"""
                            .formatted(issue[1]))));
        }
        // A third request, or one without the stored grant, gets Google's refusal.
        google.stubFor(post(urlPathEqualTo(TOKEN)).atPriority(10).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\": \"invalid_grant\", \"error_description\": \"Token has been expired or revoked.\"}")));
    }

    /** YouTube's answer to an expired or revoked access token. */
    private static ResponseDefinitionBuilder unauthorized() {
        return aResponse().withStatus(401).withHeader("Content-Type", "application/json")
                .withHeader("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"")
                .withBody("""
                        {"error": {"code": 401, "message": "Request had invalid authentication credentials.",
                          "errors": [{"message": "Invalid Credentials", "domain": "global", "reason": "authError",
                                      "location": "Authorization", "locationType": "header"}],
                          "status": "UNAUTHENTICATED"}}""");
    }

    /** The videos of the playlistItems.insert calls YouTube answered 200, in the order it received them. */
    private static List<String> acceptedItemInserts() {
        return itemInserts(200).stream().map(LivePipelineEndToEndTest::videoIdOf).toList();
    }

    private static List<LoggedRequest> refusedItemInserts() {
        return itemInserts(401);
    }

    private static List<LoggedRequest> itemInserts(int status) {
        List<ServeEvent> journal = new ArrayList<>(youtube.getAllServeEvents());
        // WireMock's journal lists the newest request first.
        Collections.reverse(journal);
        return journal.stream()
                .filter(event -> event.getRequest().getMethod().equals(RequestMethod.POST)
                        && event.getRequest().getUrl().startsWith(ITEMS) && event.getResponse().getStatus() == status)
                .map(ServeEvent::getRequest).toList();
    }

    private static String videoIdOf(LoggedRequest request) {
        try {
            return new ObjectMapper().readTree(request.getBodyAsString()).at("/snippet/resourceId/videoId").asText();
        } catch (IOException e) {
            throw new AssertionError("playlistItems.insert body is not JSON: " + request.getBodyAsString(), e);
        }
    }

    private static void logAt(Level level, String... loggers) {
        for (String name : loggers) {
            ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(name);
            levelsBefore.putIfAbsent(name, logger.getLevel());
            logger.setLevel(level);
        }
    }

    private static WireMockServer started() {
        WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort());
        server.start();
        return server;
    }
}
