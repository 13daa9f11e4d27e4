package io.tally.playlist;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tally.playlist.youtube.RefreshTokenFile;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.web.client.RestClient;

/**
 * Access tokens renewed by Spring Security's authorized-client manager from the stored refresh token, against WireMock
 * playing both Google's token endpoint and the YouTube Data API.
 */
@ExtendWith(OutputCaptureExtension.class)
class YouTubeTokenRenewalTest {

    @RegisterExtension
    static WireMockExtension google = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    static final String REFRESH_TOKEN = "1//refresh-token-R1";
    static final String CLIENT_SECRET = "GOCSPX-client-secret";
    static final String FIRST = "ya29.first-access-token";
    static final String SECOND = "ya29.second-access-token";
    private static final String ITEMS = "/youtube/v3/playlistItems";
    private static final String TOKEN = "/token";

    @TempDir
    Path home;
    private Path tokenFile;

    private final PlaylistDraft draft = new PlaylistDraft("beatport/2024/08/12/top100", "Beatport Top 100",
            LocalDate.of(2024, 8, 12), entries(5), 0, 5);

    @BeforeEach
    void storeTheRefreshToken() throws IOException {
        tokenFile = home.resolve(".tally/youtube-refresh-token");
        RefreshTokenFile.write(tokenFile, REFRESH_TOKEN);
    }

    @Test
    void anAccessTokenThatExpiresMidPlaylistIsRenewedOnceAndThePlaylistIsBuiltOnceAndCompletely(CapturedOutput output) {
        // Given the token endpoint issues a first access token, then a second one on the next refresh grant
        tokenEndpointIssues(FIRST, SECOND);
        // and YouTube accepts the first token for the listing, the playlist and two inserts, then answers 401 to it
        youtubeAccepts(FIRST);
        google.stubFor(post(urlPathEqualTo(ITEMS)).withHeader("Authorization", equalTo("Bearer " + FIRST))
                .inScenario("expiry").whenScenarioStateIs(Scenario.STARTED).willReturn(okJson("{\"id\":\"i\"}")).willSetStateTo("one"));
        google.stubFor(post(urlPathEqualTo(ITEMS)).withHeader("Authorization", equalTo("Bearer " + FIRST))
                .inScenario("expiry").whenScenarioStateIs("one").willReturn(okJson("{\"id\":\"i\"}")).willSetStateTo("expired"));
        google.stubFor(post(urlPathEqualTo(ITEMS)).withHeader("Authorization", equalTo("Bearer " + FIRST))
                .inScenario("expiry").whenScenarioStateIs("expired").willReturn(unauthorized()));
        google.stubFor(post(urlPathEqualTo(ITEMS)).withHeader("Authorization", equalTo("Bearer " + SECOND))
                .willReturn(okJson("{\"id\":\"i\"}")));

        // When the playlist of five tracks is made
        CreatedPlaylist made = adapter(oauth(), 10_000).create(draft);

        // Then one playlist holds all five videos in chart order: two with the first token, the rest with the second
        assertThat(made.playlistId()).isEqualTo("PL1");
        google.verify(1, postRequestedFor(urlPathEqualTo("/youtube/v3/playlists")));
        List<LoggedRequest> items = google.findAll(postRequestedFor(urlPathEqualTo(ITEMS)));
        assertThat(items).hasSize(6);
        List<String> accepted = new ArrayList<>();
        for (LoggedRequest item : items) {
            boolean refused = item.getHeader("Authorization").equals("Bearer " + FIRST) && accepted.size() == 2;
            if (!refused) {
                accepted.add(item.getBodyAsString().replaceAll(".*\"videoId\":\"(vid\\d)\".*", "$1"));
            }
        }
        assertThat(accepted).containsExactly("vid1", "vid2", "vid3", "vid4", "vid5");
        // and the refresh token was exchanged twice: the first access token, then exactly one renewal after the 401
        List<LoggedRequest> grants = google.findAll(postRequestedFor(urlPathEqualTo(TOKEN)));
        assertThat(grants).hasSize(2).allSatisfy(grant -> assertThat(grant.getBodyAsString())
                .contains("grant_type=refresh_token").contains("refresh_token=1%2F%2Frefresh-token-R1")
                .contains("client_id=client-123"));
        // and no token or secret reached the log
        assertThat(output.getAll()).doesNotContain(FIRST, SECOND, REFRESH_TOKEN, CLIENT_SECRET);
    }

    @Test
    void aRevokedRefreshTokenFailsThePlaylistWithTheFixAndAsksTheTokenEndpointOnce(CapturedOutput output) {
        // Given Google has revoked the refresh token
        google.stubFor(post(urlPathEqualTo(TOKEN)).willReturn(invalidGrant()));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        YouTubePlaylistAdapter adapter = new YouTubePlaylistAdapter(RestClient.builder(), settings(oauth(), "", 10_000),
                meters, Clock.systemUTC());
        // When the playlist is asked for, then once more (a redelivery)
        for (int run = 0; run < 2; run++) {
            // Then each run fails with what to do and nothing reaches YouTube
            assertThatThrownBy(() -> adapter.create(draft)).isInstanceOf(PlaylistAdapterException.class)
                    .hasMessageContaining("re-run tally auth youtube").hasMessageContaining("invalid_grant");
        }
        // and the token endpoint was asked once per run, never in a loop
        google.verify(2, postRequestedFor(urlPathEqualTo(TOKEN)));
        google.verify(0, anyRequestedFor(urlPathEqualTo("/youtube/v3/playlists")));
        // and no quota was counted for calls never sent
        assertThat(meters.get("tally.youtube.quota.remaining").gauge().value()).isEqualTo(10_000.0);
        assertThat(output.getAll()).doesNotContain(REFRESH_TOKEN, CLIENT_SECRET);
    }

    @Test
    void aRefreshTokenRevokedMidPlaylistEndsItAfterOneRenewalAttempt() {
        // Given a first access token YouTube refuses after the playlist insert, and a refresh token revoked since
        google.stubFor(post(urlPathEqualTo(TOKEN)).inScenario("revoked").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(accessToken(FIRST)).willSetStateTo("revoked"));
        google.stubFor(post(urlPathEqualTo(TOKEN)).inScenario("revoked").whenScenarioStateIs("revoked")
                .willReturn(invalidGrant()));
        youtubeAccepts(FIRST);
        google.stubFor(post(urlPathEqualTo(ITEMS)).willReturn(unauthorized()));
        // When / Then the playlist fails with the fix after one refused insert and one refused renewal
        assertThatThrownBy(() -> adapter(oauth(), 10_000).create(draft)).isInstanceOf(PlaylistAdapterException.class)
                .hasMessageContaining("re-run tally auth youtube");
        google.verify(1, postRequestedFor(urlPathEqualTo(ITEMS)));
        google.verify(2, postRequestedFor(urlPathEqualTo(TOKEN)));
    }

    @Test
    void aTokenRefusedAgainAfterRenewalIsNotRenewedASecondTime() {
        // Given YouTube refuses every access token
        tokenEndpointIssues(FIRST, SECOND);
        google.stubFor(get(urlPathEqualTo("/youtube/v3/playlists")).willReturn(unauthorized()));
        // When / Then the call is made twice (one renewal) and the playlist fails
        assertThatThrownBy(() -> adapter(oauth(), 10_000).create(draft)).isInstanceOf(PlaylistAdapterException.class)
                .hasMessageContaining("refused a freshly renewed access token").hasMessageContaining("re-run tally auth youtube");
        google.verify(2, anyRequestedFor(urlPathEqualTo("/youtube/v3/playlists")));
        google.verify(2, postRequestedFor(urlPathEqualTo(TOKEN)));
    }

    @Test
    void withoutAStoredRefreshTokenThePlaylistFailsWithTheFixAndNoCall() throws IOException {
        // Given no refresh token was ever stored
        java.nio.file.Files.delete(tokenFile);
        // When / Then the playlist fails naming the file and the fix, without a single request
        assertThatThrownBy(() -> adapter(oauth(), 10_000).create(draft)).isInstanceOf(PlaylistAdapterException.class)
                .hasMessageContaining(tokenFile.toString()).hasMessageContaining("re-run tally auth youtube");
        google.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void refusesToStartWithoutAnyCredentials() {
        // Given the youtube adapter with neither an OAuth client nor a fixed token
        PlaylistProperties.YouTube none = settings(new PlaylistProperties.OAuth("", "", null, null, tokenFile), "", 10_000);
        // When / Then it is refused at construction, naming the keys to set
        assertThatThrownBy(() -> new YouTubePlaylistAdapter(RestClient.builder(), none))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tally.playlist.youtube.oauth.client-id").hasMessageContaining("tally auth youtube");
    }

    @Test
    void refusesToStartWithAClientIdButNoSecret() {
        // Given a client id without its secret (the environment variable not set)
        PlaylistProperties.YouTube noSecret = settings(new PlaylistProperties.OAuth("client-123", "", null, null, tokenFile), "", 10_000);
        // When / Then it is refused at construction, naming the missing key and its variable
        assertThatThrownBy(() -> new YouTubePlaylistAdapter(RestClient.builder(), noSecret))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tally.playlist.youtube.oauth.client-secret").hasMessageContaining("TALLY_YOUTUBE_CLIENT_SECRET");
    }

    @Test
    void neverShowsTheClientSecretInItsSettings() {
        // When the OAuth settings are printed
        String printed = settings(oauth(), "", 10_000).toString();
        // Then the secret is masked and the client id shown
        assertThat(printed).doesNotContain(CLIENT_SECRET).contains("client-123").contains("<secret>");
    }

    PlaylistProperties.OAuth oauth() {
        return new PlaylistProperties.OAuth("client-123", CLIENT_SECRET, URI.create(google.baseUrl() + TOKEN),
                URI.create(google.baseUrl() + "/auth"), tokenFile);
    }

    private YouTubePlaylistAdapter adapter(PlaylistProperties.OAuth oauth, long dailyUnits) {
        return new YouTubePlaylistAdapter(RestClient.builder(), settings(oauth, "", dailyUnits), new SimpleMeterRegistry(),
                Clock.systemUTC());
    }

    private static PlaylistProperties.YouTube settings(PlaylistProperties.OAuth oauth, String fixedToken, long dailyUnits) {
        return new PlaylistProperties.YouTube(URI.create(google.baseUrl() + "/youtube/v3"), fixedToken, "public", 3,
                Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofSeconds(5), oauth,
                new PlaylistProperties.Quota(dailyUnits, ZoneId.of("America/Los_Angeles")));
    }

    private static void tokenEndpointIssues(String first, String second) {
        google.stubFor(post(urlPathEqualTo(TOKEN)).inScenario("tokens").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(accessToken(first)).willSetStateTo("second"));
        google.stubFor(post(urlPathEqualTo(TOKEN)).inScenario("tokens").whenScenarioStateIs("second")
                .willReturn(accessToken(second)).willSetStateTo("no more"));
    }

    private static void youtubeAccepts(String token) {
        google.stubFor(get(urlPathEqualTo("/youtube/v3/playlists")).withHeader("Authorization", equalTo("Bearer " + token))
                .willReturn(okJson("{\"kind\":\"youtube#playlistListResponse\",\"items\":[]}")));
        google.stubFor(post(urlPathEqualTo("/youtube/v3/playlists")).withHeader("Authorization", equalTo("Bearer " + token))
                .willReturn(okJson("{\"kind\":\"youtube#playlist\",\"id\":\"PL1\"}")));
    }

    /** Google's token response to a refresh grant: no new refresh token. */
    static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder accessToken(String token) {
        return okJson("{\"access_token\":\"" + token + "\",\"expires_in\":3599,"
                + "\"scope\":\"https://www.googleapis.com/auth/youtube\",\"token_type\":\"Bearer\"}");
    }

    static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder invalidGrant() {
        return aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":\"invalid_grant\",\"error_description\":\"Token has been expired or revoked.\"}");
    }

    /** YouTube's answer to an expired or revoked access token. */
    static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder unauthorized() {
        return aResponse().withStatus(401).withHeader("Content-Type", "application/json")
                .withHeader("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"")
                .withBody("""
                        {"error": {"code": 401, "message": "Request had invalid authentication credentials.",
                          "errors": [{"message": "Invalid Credentials", "domain": "global", "reason": "authError",
                                      "location": "Authorization", "locationType": "header"}],
                          "status": "UNAUTHENTICATED"}}""");
    }

    private static List<PlaylistEntry> entries(int count) {
        List<PlaylistEntry> entries = new ArrayList<>();
        for (int position = 1; position <= count; position++) {
            entries.add(new PlaylistEntry(position, List.of("Artist " + position), "Title " + position, null, "vid" + position));
        }
        return entries;
    }
}
