package io.tally.tracksearch.youtube;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.tally.events.tasks.SearchTrackInput;
import io.tally.tracksearch.NonRetryableSearchException;
import io.tally.tracksearch.RetryableSearchException;
import io.tally.tracksearch.SearchProperties;
import io.tally.tracksearch.SearchResult;
import io.tally.worker.ratelimit.GroupAwareJitter;
import io.tally.worker.ratelimit.Throttle;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.web.client.RestClient;

/** The YouTube adapter against a real HTTP server (WireMock) answering like the Data API v3. */
class YouTubeSearchAdapterTest {

    private static final String KEY = "secret-test-key-123";

    @RegisterExtension
    static WireMockExtension youtube = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private final YouTubeSearchAdapter adapter = new YouTubeSearchAdapter(RestClient.builder(),
            new SearchProperties.YouTube(youtube.baseUrl() + "/youtube/v3", KEY, 1000, Duration.ZERO,
                    Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofSeconds(2)),
            new Throttle(1000, new GroupAwareJitter(Duration.ZERO, () -> 1)));

    @Test
    void returnsTheFirstVideoWithAnUnescapedTitleAndSendsTheKeyAsAQueryParameter() {
        // Given a search.list answer with one video whose title is HTML-escaped
        youtube.stubFor(get(urlPathEqualTo("/youtube/v3/search")).willReturn(okJson("""
                {"kind": "youtube#searchListResponse", "pageInfo": {"totalResults": 1000000, "resultsPerPage": 1},
                 "items": [{"kind": "youtube#searchResult", "id": {"kind": "youtube#video", "videoId": "2Hlpm_7eKFw"},
                            "snippet": {"title": "Bicep &amp; Friends - Glue (Children&#39;s Mix)", "liveBroadcastContent": "none"}}]}
                """)));
        // When a track is searched
        SearchResult result = adapter.search(request("Original Mix"));
        // Then the video is found with the unescaped title
        assertThat(result.isFound()).isTrue();
        assertThat(result.videoId()).isEqualTo("2Hlpm_7eKFw");
        assertThat(result.videoTitle()).isEqualTo("Bicep & Friends - Glue (Children's Mix)");
        // and the request is the documented one, with the key in the key parameter
        youtube.verify(1, getRequestedFor(urlPathEqualTo("/youtube/v3/search"))
                .withQueryParam("part", equalTo("snippet"))
                .withQueryParam("type", equalTo("video"))
                .withQueryParam("maxResults", equalTo("1"))
                .withQueryParam("q", equalTo("Bicep Glue Original Mix"))
                .withQueryParam("key", equalTo(KEY)));
    }

    @Test
    void returnsNotFoundWhenTheAnswerHasNoItems() {
        // Given an empty result page
        youtube.stubFor(get(urlPathEqualTo("/youtube/v3/search")).willReturn(okJson("""
                {"kind": "youtube#searchListResponse", "pageInfo": {"totalResults": 0, "resultsPerPage": 1}, "items": []}
                """)));
        // When a track is searched
        SearchResult result = adapter.search(request(null));
        // Then nothing is found
        assertThat(result.isFound()).isFalse();
        assertThat(result.videoId()).isNull();
    }

    @ParameterizedTest
    @ValueSource(ints = {429, 500, 503})
    void treatsRateLimitsAndServerErrorsAsRetryable(int status) {
        // Given the API answers with a transient error
        youtube.stubFor(get(urlPathEqualTo("/youtube/v3/search")).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"errors\":[{\"domain\":\"global\",\"reason\":\"backendError\",\"message\":\"Backend Error\"}],"
                        + "\"code\":" + status + ",\"message\":\"Backend Error\"}}")));
        // When a track is searched, then the failure is retryable and does not reveal the key
        assertThatThrownBy(() -> adapter.search(request(null)))
                .isInstanceOf(RetryableSearchException.class)
                .hasMessageContaining("HTTP " + status)
                .message().doesNotContain(KEY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rateLimitExceeded", "userRateLimitExceeded"})
    void treatsRateLimit403AsRetryable(String reason) {
        // Given a 403 whose reason is a short-term rate limit
        youtube.stubFor(get(urlPathEqualTo("/youtube/v3/search")).willReturn(forbidden(reason)));
        // When a track is searched, then the failure is retryable and names the reason
        assertThatThrownBy(() -> adapter.search(request(null)))
                .isInstanceOf(RetryableSearchException.class)
                .hasMessageContaining(reason)
                .message().doesNotContain(KEY);
    }

    @Test
    void treatsQuotaExceededAsWaitUntilTheResetNotAsRetryable() {
        // Given YouTube says the day's search quota is used up
        youtube.stubFor(get(urlPathEqualTo("/youtube/v3/search")).willReturn(forbidden("quotaExceeded")));
        // When a track is searched, then it fails for good, saying when the quota comes back
        assertThatThrownBy(() -> adapter.search(request(null)))
                .isInstanceOf(NonRetryableSearchException.class)
                .hasMessageContaining("quotaExceeded").hasMessageContaining("resets 00:00 America/Los_Angeles")
                .message().doesNotContain(KEY);
        // and the next track of the day fails the same way without calling YouTube again
        assertThatThrownBy(() -> adapter.search(request("Extended Mix")))
                .isInstanceOfSatisfying(NonRetryableSearchException.class,
                        e -> assertThat(e.code()).isEqualTo(NonRetryableSearchException.QUOTA_EXCEEDED))
                .hasMessageContaining("YouTube quota budget: 1 unit needed, 0 units left today");
        youtube.verify(1, getRequestedFor(urlPathEqualTo("/youtube/v3/search")));
    }

    @Test
    void refusesSearchesBeyondTheDaysBudgetWithoutCallingYouTube() {
        // Given a budget of two searches a day and a search that finds nothing
        youtube.stubFor(get(urlPathEqualTo("/youtube/v3/search")).willReturn(okJson("{\"items\": []}")));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        YouTubeSearchAdapter budgeted = new YouTubeSearchAdapter(RestClient.builder(),
                new SearchProperties.YouTube(youtube.baseUrl() + "/youtube/v3", KEY, 1000, Duration.ZERO,
                        Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofSeconds(2),
                        new SearchProperties.Quota(2, 1, ZoneId.of("America/Los_Angeles"))),
                new Throttle(1000, new GroupAwareJitter(Duration.ZERO, () -> 1)), meters, Clock.systemUTC());
        // When three tracks are searched
        budgeted.search(request(null));
        budgeted.search(request(null));
        // Then the third fails for good with the budget's arithmetic, and YouTube saw two calls
        assertThatThrownBy(() -> budgeted.search(request(null)))
                .isInstanceOfSatisfying(NonRetryableSearchException.class,
                        e -> assertThat(e.code()).isEqualTo(NonRetryableSearchException.QUOTA_EXCEEDED))
                .hasMessageContaining("YouTube quota budget: 1 unit needed, 0 units left today (resets 00:00 America/Los_Angeles)");
        youtube.verify(2, getRequestedFor(urlPathEqualTo("/youtube/v3/search")));
        assertThat(meters.get("tally.youtube.quota.units").tags("bucket", "search", "api", "search.list").counter().count())
                .isEqualTo(2.0);
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder forbidden(String reason) {
        return aResponse().withStatus(403).withHeader("Content-Type", "application/json").withBody("""
                { "error": { "code": 403,
                  "message": "The request cannot be completed because you have exceeded your \\u003ca href=\\"/youtube/v3/getting-started#quota\\"\\u003equota\\u003c/a\\u003e.",
                  "errors": [ { "message": "quota", "domain": "youtube.quota", "reason": "%s" } ] } }
                """.formatted(reason));
    }

    @Test
    void treatsAnInvalidKeyAsNotRetryableAndCallsOnce() {
        // Given the API rejects the key (current body, with details)
        youtube.stubFor(get(urlPathEqualTo("/youtube/v3/search")).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withBody("""
                        { "error": { "code": 400, "message": "API key not valid. Please pass a valid API key.",
                          "errors": [ { "message": "API key not valid. Please pass a valid API key.", "domain": "global", "reason": "badRequest" } ],
                          "status": "INVALID_ARGUMENT",
                          "details": [ { "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                                         "domain": "googleapis.com", "metadata": { "service": "youtube.googleapis.com" } } ] } }
                        """)));
        // When a track is searched, then the failure is final, names the reason, hides the key, and the API saw one call
        assertThatThrownBy(() -> adapter.search(request(null)))
                .isInstanceOf(NonRetryableSearchException.class)
                .hasMessageContaining("HTTP 400").hasMessageContaining("API_KEY_INVALID")
                .message().doesNotContain(KEY);
        youtube.verify(1, getRequestedFor(urlPathEqualTo("/youtube/v3/search")));
    }

    @Test
    void treatsAForbidden403AsNotRetryableAndCallsOnce() {
        // Given a 403 that is not about quota
        youtube.stubFor(get(urlPathEqualTo("/youtube/v3/search")).willReturn(aResponse().withStatus(403)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"code\":403,\"message\":\"Forbidden\",\"errors\":[{\"message\":\"Forbidden\",\"domain\":\"global\",\"reason\":\"forbidden\"}]}}")));
        // When a track is searched, then the failure is final and the API saw exactly one call
        assertThatThrownBy(() -> adapter.search(request(null)))
                .isInstanceOf(NonRetryableSearchException.class)
                .hasMessageContaining("forbidden")
                .message().doesNotContain(KEY);
        youtube.verify(1, getRequestedFor(urlPathEqualTo("/youtube/v3/search")));
    }

    @Test
    void treatsAConnectionFailureAsRetryableWithoutRevealingTheKey() {
        // Given the server drops the connection
        youtube.stubFor(get(urlPathEqualTo("/youtube/v3/search"))
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        // When a track is searched, then the failure is retryable and its message has no key (Spring's would quote the URL)
        assertThatThrownBy(() -> adapter.search(request(null)))
                .isInstanceOf(RetryableSearchException.class)
                .message().doesNotContain(KEY);
    }

    @Test
    void refusesToStartWithoutAnApiKey() {
        // When the adapter is built without a key, then it names the missing setting
        assertThatThrownBy(() -> new YouTubeSearchAdapter(RestClient.builder(),
                new SearchProperties.YouTube(youtube.baseUrl(), "", 5, Duration.ZERO, Duration.ofSeconds(30),
                        Duration.ofSeconds(1), Duration.ofSeconds(1)),
                new Throttle(5, new GroupAwareJitter(Duration.ZERO, () -> 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tally.search.youtube.api-key");
    }

    private static SearchTrackInput request(String mix) {
        return SearchTrackInput.newBuilder().setTrackKey("trk-1").setArtists(List.of("Bicep"))
                .setTitle("Glue").setMix(mix).build();
    }
}
