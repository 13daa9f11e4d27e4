package io.tally.celebrity.source;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.tally.celebrity.CelebrityProperties;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.web.client.RestClient;

/**
 * The four real adapters against a local HTTP peer (WireMock) answering in each API's shape: a success is read into
 * entries, 5xx, 429 and a dropped connection are {@link SourceUnavailableException} (the task retries them), 401/403
 * are {@link SourceRejectedException} (not retried), a 404 leaves that celebrity out, and the key never shows.
 */
class HttpSourcesTest {

    private static final String KEY = "secret-key-4711";
    private static final List<Celebrity> TWO = Roster.read(new ClassPathResource("celebrities/roster.json")).first(2);

    @RegisterExtension
    static WireMockExtension api = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static CelebrityProperties.Http settings() {
        return new CelebrityProperties.Http(CelebrityProperties.Adapter.HTTP, URI.create(api.baseUrl()), KEY,
                "tally-test/1 (test@example.org)", Duration.ofSeconds(2), Duration.ofSeconds(2), 5);
    }

    /** Each adapter with the path its per-celebrity request goes to. */
    static List<Arguments> adapters() {
        return List.of(
                Arguments.of("tmdb", (Function<CelebrityProperties.Http, CelebritySource>) s -> new TmdbSource(RestClient.builder(), s), "/3/person/.*"),
                Arguments.of("wikipedia", (Function<CelebrityProperties.Http, CelebritySource>) s -> new WikipediaSource(RestClient.builder(), s), "/api/rest_v1/page/summary/.*"),
                Arguments.of("news", (Function<CelebrityProperties.Http, CelebritySource>) s -> new NewsApiSource(RestClient.builder(), s), "/v2/everything"),
                Arguments.of("social", (Function<CelebrityProperties.Http, CelebritySource>) s -> new SocialSource(RestClient.builder(), s), "/v1/mentions"));
    }

    @Test
    void readsTmdbPopularityInThousandthsAndTheBiographyWithTheTokenAsBearer() {
        // Given TMDB's person details for the roster's first two people
        api.stubFor(get(urlPathEqualTo("/3/person/" + TWO.get(0).tmdbId())).willReturn(okJson("""
                {"id": %d, "name": "Taylor Swift", "popularity": 67.0664, "biography": "An acclaimed singer."}
                """.formatted(TWO.get(0).tmdbId()))));
        api.stubFor(get(urlPathEqualTo("/3/person/" + TWO.get(1).tmdbId())).willReturn(okJson("""
                {"id": %d, "name": "Beyoncé", "popularity": 12.5, "biography": ""}
                """.formatted(TWO.get(1).tmdbId()))));

        // When the TMDB adapter collects them
        List<SourceEntry> entries = new TmdbSource(RestClient.builder(), settings()).collect(TWO);

        // Then each has its popularity in thousandths (no floating point) and its biography
        assertThat(entries).extracting(SourceEntry::metric).containsExactly(67066L, 12500L);
        assertThat(entries.get(0).text()).isEqualTo("An acclaimed singer.");
        api.verify(getRequestedFor(urlPathEqualTo("/3/person/" + TWO.get(0).tmdbId()))
                .withHeader("Authorization", equalTo("Bearer " + KEY)));
    }

    @Test
    void readsWikipediaTheSummaryExtractAndSumsThirtyDaysOfPageViews() {
        // Given the summary and the page views of one page, a day without data being null
        Celebrity taylor = TWO.get(0);
        api.stubFor(get(urlPathEqualTo("/api/rest_v1/page/summary/" + taylor.wikipediaTitle())).willReturn(okJson("""
                {"type": "standard", "title": "Taylor Swift", "extract": "Taylor Alison Swift is an American singer."}
                """)));
        api.stubFor(get(urlPathEqualTo("/w/api.php")).withQueryParam("titles", equalTo(taylor.wikipediaTitle()))
                .willReturn(okJson("""
                        {"batchcomplete": true, "query": {"pages": [{"pageid": 5422144, "title": "Taylor Swift",
                         "pageviews": {"2026-11-01": 120000, "2026-11-02": null, "2026-11-03": 80000}}]}}
                        """)));

        // When the Wikipedia adapter collects her
        List<SourceEntry> entries = new WikipediaSource(RestClient.builder(), settings()).collect(List.of(taylor));

        // Then the metric is the page views' sum and the text the extract, asked with the User-Agent Wikimedia wants
        assertThat(entries).singleElement().satisfies(entry -> {
            assertThat(entry.metric()).isEqualTo(200_000L);
            assertThat(entry.text()).isEqualTo("Taylor Alison Swift is an American singer.");
        });
        api.verify(getRequestedFor(urlPathEqualTo("/w/api.php")).withQueryParam("prop", equalTo("pageviews"))
                .withHeader("User-Agent", equalTo("tally-test/1 (test@example.org)")));
    }

    @Test
    void readsNewsApiTotalResultsAndTheArticlesWithTheKeyInItsHeader() {
        // Given NewsAPI's /v2/everything answer
        api.stubFor(get(urlPathEqualTo("/v2/everything")).willReturn(okJson("""
                {"status": "ok", "totalResults": 321, "articles": [
                  {"source": {"id": null, "name": "Example"}, "title": "Star wins award", "description": "A brilliant night."},
                  {"source": {"id": null, "name": "Example"}, "title": "Lawsuit filed", "description": null}]}
                """)));

        // When the news adapter collects one celebrity
        List<SourceEntry> entries = new NewsApiSource(RestClient.builder(), settings()).collect(TWO.subList(0, 1));

        // Then the metric is totalResults and the text the titles and descriptions, one article a line
        assertThat(entries).singleElement().satisfies(entry -> {
            assertThat(entry.metric()).isEqualTo(321L);
            assertThat(entry.text()).isEqualTo("Star wins award A brilliant night.\nLawsuit filed");
        });
        api.verify(getRequestedFor(urlPathEqualTo("/v2/everything"))
                .withQueryParam("q", equalTo("\"" + TWO.get(0).name() + "\""))
                .withQueryParam("pageSize", equalTo("5"))
                .withHeader("X-Api-Key", equalTo(KEY)));
    }

    @Test
    void readsTheSocialSourcesMentionsAndPosts() {
        // Given the documented social shape
        api.stubFor(get(urlPathEqualTo("/v1/mentions")).willReturn(okJson("""
                {"query": "Taylor Swift", "mentions": 98765, "posts": [{"text": "loved the show"}, {"text": "what a flop"}]}
                """)));

        // When the social adapter collects one celebrity
        List<SourceEntry> entries = new SocialSource(RestClient.builder(), settings()).collect(TWO.subList(0, 1));

        // Then the metric is mentions and the text the posts
        assertThat(entries).singleElement().satisfies(entry -> {
            assertThat(entry.metric()).isEqualTo(98765L);
            assertThat(entry.text()).isEqualTo("loved the show\nwhat a flop");
        });
        api.verify(getRequestedFor(urlPathEqualTo("/v1/mentions")).withQueryParam("query", equalTo(TWO.get(0).name()))
                .withHeader("Authorization", equalTo("Bearer " + KEY)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adapters")
    void treatsServerErrorsAsUnavailableSoTheTaskIsRetried(String source, Function<CelebrityProperties.Http, CelebritySource> adapter,
                                                          String path) {
        // Given the API answers 503 with the key echoed in its body
        api.stubFor(get(urlPathMatching(path)).willReturn(aResponse().withStatus(503).withBody("down, key " + KEY)));

        // When the adapter collects, then it fails as unavailable (retryable), without the key in the message
        assertThatThrownBy(() -> adapter.apply(settings()).collect(TWO))
                .isInstanceOf(SourceUnavailableException.class)
                .hasMessageContaining("HTTP 503")
                .hasMessageNotContaining(KEY);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adapters")
    void treatsRateLimitsAndDroppedConnectionsAsUnavailable(String source,
            Function<CelebrityProperties.Http, CelebritySource> adapter, String path) {
        // Given the API rate-limits the first celebrity's request and drops the connection for the second one's
        api.stubFor(get(urlPathMatching(path)).willReturn(aResponse().withStatus(429)));
        CelebritySource rateLimited = adapter.apply(settings());
        assertThatThrownBy(() -> rateLimited.collect(TWO)).isInstanceOf(SourceUnavailableException.class)
                .hasMessageContaining("HTTP 429");
        api.resetAll();
        api.stubFor(get(urlPathMatching(path)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        // When the adapter collects, then that is unavailable too
        assertThatThrownBy(() -> adapter.apply(settings()).collect(TWO)).isInstanceOf(SourceUnavailableException.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adapters")
    void treatsAnUnauthorisedAnswerAsRejectedSoTheTaskIsNotRetried(String source,
            Function<CelebrityProperties.Http, CelebritySource> adapter, String path) {
        // Given the API refuses the key
        api.stubFor(get(urlPathMatching(path)).willReturn(aResponse().withStatus(401)
                .withBody("{\"status\":\"error\",\"code\":\"apiKeyInvalid\",\"message\":\"Your API key " + KEY + " is invalid\"}")));

        // When the adapter collects, then it fails as rejected, without the key
        assertThatThrownBy(() -> adapter.apply(settings()).collect(TWO))
                .isInstanceOf(SourceRejectedException.class)
                .hasMessageContaining("HTTP 401")
                .hasMessageNotContaining(KEY);
        // And it stopped at the first request: a refused key is not tried for every celebrity
        api.verify(1, getRequestedFor(urlPathMatching(path)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adapters")
    void leavesOutACelebrityTheSourceDoesNotKnow(String source, Function<CelebrityProperties.Http, CelebritySource> adapter,
                                                 String path) {
        // Given the API answers 404 for everyone
        api.stubFor(get(urlPathMatching(path)).willReturn(aResponse().withStatus(404)));

        // When the adapter collects, then there is no entry and no failure
        assertThat(adapter.apply(settings()).collect(TWO)).isEmpty();
    }
}
