package io.tally.playlist;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.web.client.RestClient;

/** The YouTube adapter against a WireMock fake of the three Data API calls it makes. */
class YouTubePlaylistAdapterTest {

    @RegisterExtension
    static WireMockExtension youtube = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static final String TOKEN = "ya29.test-token";
    private static final String EMPTY_LIST = "{\"kind\":\"youtube#playlistListResponse\",\"items\":[]}";

    private final PlaylistDraft draft = new PlaylistDraft("beatport/2024/08/12/top100", "Beatport Top 100",
            LocalDate.of(2024, 8, 12), List.of(
                    new PlaylistEntry(1, List.of("A"), "One", null, "vid1"),
                    new PlaylistEntry(2, List.of("B"), "Two", null, "vid2")), 0, 2);

    private YouTubePlaylistAdapter adapter(String privacy) {
        return new YouTubePlaylistAdapter(RestClient.builder(), new PlaylistProperties.YouTube(
                URI.create(youtube.baseUrl() + "/youtube/v3"), TOKEN, privacy, 3, Duration.ofMillis(10),
                Duration.ofMillis(50), Duration.ofSeconds(5)));
    }

    @Test
    void insertsThePlaylistThenOneItemPerEntryWithTheBearerToken() {
        // Given an account without a Tally playlist for the chart
        youtube.stubFor(get(urlPathEqualTo("/youtube/v3/playlists")).willReturn(okJson(EMPTY_LIST)));
        youtube.stubFor(post(urlPathEqualTo("/youtube/v3/playlists"))
                .willReturn(okJson("{\"kind\":\"youtube#playlist\",\"id\":\"PL123\",\"snippet\":{\"title\":\"x\"}}")));
        youtube.stubFor(post(urlPathEqualTo("/youtube/v3/playlistItems"))
                .willReturn(okJson("{\"kind\":\"youtube#playlistItem\",\"id\":\"item\"}")));
        // When the playlist is made as unlisted
        CreatedPlaylist made = adapter("unlisted").create(draft);
        // Then the playlist was inserted with title, marker and privacy, then the items in chart order
        assertThat(made).isEqualTo(new CreatedPlaylist("PL123", "https://www.youtube.com/playlist?list=PL123"));
        youtube.verify(getRequestedFor(urlPathEqualTo("/youtube/v3/playlists")).withQueryParam("mine", equalTo("true"))
                .withHeader("Authorization", equalTo("Bearer " + TOKEN)));
        youtube.verify(1, postRequestedFor(urlPathEqualTo("/youtube/v3/playlists"))
                .withQueryParam("part", equalTo("snippet,status"))
                .withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .withRequestBody(equalToJson("""
                        {"snippet": {"title": "Beatport Top 100 — 2024-08-12", "description": "${json-unit.any-string}"},
                         "status": {"privacyStatus": "unlisted"}}""")));
        var inserts = youtube.findAll(postRequestedFor(urlPathEqualTo("/youtube/v3/playlists")));
        assertThat(inserts.get(0).getBodyAsString()).contains("tally:source=beatport/2024/08/12/top100");
        var items = youtube.findAll(postRequestedFor(urlPathEqualTo("/youtube/v3/playlistItems"))
                .withQueryParam("part", equalTo("snippet")).withHeader("Authorization", equalTo("Bearer " + TOKEN)));
        assertThat(items).hasSize(2);
        youtube.verify(postRequestedFor(urlPathEqualTo("/youtube/v3/playlistItems")).withRequestBody(equalToJson(
                "{\"snippet\":{\"playlistId\":\"PL123\",\"resourceId\":{\"kind\":\"youtube#video\",\"videoId\":\"vid1\"}}}")));
        assertThat(items.get(0).getBodyAsString()).contains("\"videoId\":\"vid1\"");
        assertThat(items.get(1).getBodyAsString()).contains("\"videoId\":\"vid2\"");
    }

    @Test
    void reusesItsOwnPlaylistWithTheMarkerAndAddsOnlyTheMissingVideos() {
        // Given the account already has this chart's playlist (a crash after playlists.insert and one item)
        youtube.stubFor(get(urlPathEqualTo("/youtube/v3/playlists")).willReturn(okJson("""
                {"items": [
                  {"id": "PLother", "snippet": {"title": "x", "description": "Made by Tally.\\ntally:source=beatport/2024/08/12/top100-extra"}},
                  {"id": "PLmine", "snippet": {"title": "x", "description": "Made by Tally.\\ntally:source=beatport/2024/08/12/top100"}}
                ]}""")));
        youtube.stubFor(get(urlPathEqualTo("/youtube/v3/playlistItems")).withQueryParam("playlistId", equalTo("PLmine"))
                .willReturn(okJson("""
                        {"items": [{"id": "i1", "snippet": {"playlistId": "PLmine",
                          "resourceId": {"kind": "youtube#video", "videoId": "vid1"}}}]}""")));
        youtube.stubFor(post(urlPathEqualTo("/youtube/v3/playlistItems")).willReturn(okJson("{\"id\":\"item\"}")));
        // When the playlist is made again
        CreatedPlaylist made = adapter("public").create(draft);
        // Then no playlist is inserted, the marked one is reused and only vid2 is added
        assertThat(made.playlistId()).isEqualTo("PLmine");
        youtube.verify(0, postRequestedFor(urlPathEqualTo("/youtube/v3/playlists")));
        var items = youtube.findAll(postRequestedFor(urlPathEqualTo("/youtube/v3/playlistItems")));
        assertThat(items).singleElement().satisfies(item ->
                assertThat(item.getBodyAsString()).contains("\"playlistId\":\"PLmine\"").contains("\"videoId\":\"vid2\""));
    }

    @Test
    void retriesA429AndA503ThenSucceeds() {
        // Given playlists.insert answers 429, then 503, then 200
        youtube.stubFor(get(urlPathEqualTo("/youtube/v3/playlists")).willReturn(okJson(EMPTY_LIST)));
        youtube.stubFor(post(urlPathEqualTo("/youtube/v3/playlists")).inScenario("busy").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withBody("{\"error\":{\"code\":429}}")).willSetStateTo("503"));
        youtube.stubFor(post(urlPathEqualTo("/youtube/v3/playlists")).inScenario("busy").whenScenarioStateIs("503")
                .willReturn(aResponse().withStatus(503).withBody("{\"error\":{\"code\":503,\"message\":\"Backend Error\"}}"))
                .willSetStateTo("ok"));
        youtube.stubFor(post(urlPathEqualTo("/youtube/v3/playlists")).inScenario("busy").whenScenarioStateIs("ok")
                .willReturn(okJson("{\"id\":\"PL9\"}")));
        youtube.stubFor(post(urlPathEqualTo("/youtube/v3/playlistItems")).willReturn(okJson("{\"id\":\"item\"}")));
        // When the playlist is made
        CreatedPlaylist made = adapter("public").create(draft);
        // Then it succeeded on the third attempt
        assertThat(made.playlistId()).isEqualTo("PL9");
        youtube.verify(3, postRequestedFor(urlPathEqualTo("/youtube/v3/playlists")));
    }

    @Test
    void failsAt400WithoutRetryingAndNamesTheReason() {
        // Given playlists.insert rejects the request
        youtube.stubFor(get(urlPathEqualTo("/youtube/v3/playlists")).willReturn(okJson(EMPTY_LIST)));
        youtube.stubFor(post(urlPathEqualTo("/youtube/v3/playlists")).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"code\":400,\"message\":\"Invalid playlist\",\"errors\":[{\"reason\":\"invalidPlaylistSnippet\"}]}}")));
        // When / Then the adapter fails after one attempt, with status and reason in the message
        assertThatThrownBy(() -> adapter("public").create(draft)).isInstanceOf(PlaylistAdapterException.class)
                .hasMessageContaining("playlists.insert").hasMessageContaining("400").hasMessageContaining("invalidPlaylistSnippet");
        youtube.verify(1, postRequestedFor(urlPathEqualTo("/youtube/v3/playlists")));
        youtube.verify(0, postRequestedFor(urlPathEqualTo("/youtube/v3/playlistItems")));
    }

    @Test
    void givesUpAfterTheConfiguredAttemptsWhenTheServerKeepsFailing() {
        // Given playlists.list always answers 500
        youtube.stubFor(get(urlPathEqualTo("/youtube/v3/playlists")).willReturn(aResponse().withStatus(500)));
        // When / Then the adapter fails after three attempts
        assertThatThrownBy(() -> adapter("public").create(draft)).isInstanceOf(PlaylistAdapterException.class)
                .hasMessageContaining("3 attempt(s)");
        youtube.verify(3, getRequestedFor(urlPathEqualTo("/youtube/v3/playlists")));
    }

    @Test
    void refusesAPlaylistThatDoesNotFitTheDaysBudgetBeforeAnyInsert() {
        // Given 120 units left today and a chart of two tracks (50 for the playlist + 2 x 50 for the items)
        youtube.stubFor(get(urlPathEqualTo("/youtube/v3/playlists")).willReturn(okJson(EMPTY_LIST)));
        YouTubePlaylistAdapter adapter = budgeted(120, new SimpleMeterRegistry());
        // When / Then the playlist is refused after the 1-unit listing, with the arithmetic, and nothing is inserted
        assertThatThrownBy(() -> adapter.create(draft)).isInstanceOf(PlaylistAdapterException.class)
                .hasMessage("YouTube quota budget: 150 units needed, 119 units left today (resets 00:00 America/Los_Angeles)");
        youtube.verify(0, postRequestedFor(urlPathEqualTo("/youtube/v3/playlists")));
        youtube.verify(0, postRequestedFor(urlPathEqualTo("/youtube/v3/playlistItems")));
    }

    @Test
    void chargesEveryCallToTheDaysBudgetPerApi() {
        // Given an account without the playlist
        youtube.stubFor(get(urlPathEqualTo("/youtube/v3/playlists")).willReturn(okJson(EMPTY_LIST)));
        youtube.stubFor(post(urlPathEqualTo("/youtube/v3/playlists")).willReturn(okJson("{\"id\":\"PL1\"}")));
        youtube.stubFor(post(urlPathEqualTo("/youtube/v3/playlistItems")).willReturn(okJson("{\"id\":\"item\"}")));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        // When the two-track playlist is made
        budgeted(10_000, meters).create(draft);
        // Then 1 + 50 + 2 x 50 units are counted, per api, and 9,849 are left
        assertThat(meters.get("tally.youtube.quota.units").tags("bucket", "general", "api", "playlistItems.insert")
                .counter().count()).isEqualTo(100.0);
        assertThat(meters.get("tally.youtube.quota.units").tags("api", "playlists.insert").counter().count()).isEqualTo(50.0);
        assertThat(meters.get("tally.youtube.quota.units").tags("api", "playlists.list").counter().count()).isEqualTo(1.0);
        assertThat(meters.get("tally.youtube.quota.remaining").gauge().value()).isEqualTo(9_849.0);
    }

    @Test
    void quotaExceededFailsAtOnceAndNoCallIsMadeUntilTheReset() {
        // Given YouTube says the day's quota is used up
        youtube.stubFor(get(urlPathEqualTo("/youtube/v3/playlists")).willReturn(aResponse().withStatus(403)
                .withHeader("Content-Type", "application/json").withBody("""
                        {"error": {"code": 403, "message": "The request cannot be completed because you have exceeded your quota.",
                          "errors": [{"message": "quota", "domain": "youtube.quota", "reason": "quotaExceeded"}]}}""")));
        YouTubePlaylistAdapter adapter = budgeted(10_000, new SimpleMeterRegistry());
        // When / Then the playlist fails without retrying, saying it waits for the reset
        assertThatThrownBy(() -> adapter.create(draft)).isInstanceOf(PlaylistAdapterException.class)
                .hasMessageContaining("quotaExceeded").hasMessageContaining("resets 00:00 America/Los_Angeles");
        youtube.verify(1, getRequestedFor(urlPathEqualTo("/youtube/v3/playlists")));
        // and a second playlist the same day is refused by the budget without calling YouTube
        assertThatThrownBy(() -> adapter.create(draft)).hasMessageStartingWith("YouTube quota budget: 1 unit needed, 0 units left today");
        youtube.verify(1, getRequestedFor(urlPathEqualTo("/youtube/v3/playlists")));
    }

    private YouTubePlaylistAdapter budgeted(long dailyUnits, SimpleMeterRegistry meters) {
        return new YouTubePlaylistAdapter(RestClient.builder(), new PlaylistProperties.YouTube(
                URI.create(youtube.baseUrl() + "/youtube/v3"), TOKEN, "public", 3, Duration.ofMillis(10),
                Duration.ofMillis(50), Duration.ofSeconds(5), null,
                new PlaylistProperties.Quota(dailyUnits, ZoneId.of("America/Los_Angeles"))), meters, Clock.systemUTC());
    }

    @Test
    void neverShowsTheTokenInItsSettings() {
        // When the settings are printed
        String printed = new PlaylistProperties.YouTube(URI.create("http://x"), TOKEN, "public", 1, Duration.ZERO,
                Duration.ZERO, Duration.ofSeconds(1)).toString();
        // Then the token is masked
        assertThat(printed).doesNotContain(TOKEN).contains("<secret>");
    }
}
