package io.tally.chartscraper.source;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.tally.chartscraper.ScraperProperties;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.client.RestClient;

/** The Beatport adapter against a real HTTP server (WireMock) serving the stored page fixture and failures. */
class BeatportChartSourceTest {

    private WireMockServer server;
    private BeatportChartSource source;

    @BeforeEach
    void startServer() {
        server = new WireMockServer(options().dynamicPort());
        server.start();
        source = new BeatportChartSource(RestClient.builder(), new ScraperProperties.Beatport(
                URI.create(server.baseUrl()), Duration.ofSeconds(2), Duration.ofSeconds(2), "Mozilla/5.0 test"));
    }

    @AfterEach
    void stopServer() {
        server.stop();
    }

    @Test
    void fetchesAndParsesTheTop100PageWithBrowserLikeHeaders() throws Exception {
        // Given the site serves the fixture page
        server.stubFor(get("/top-100").willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/html; charset=utf-8").withBody(BeatportPageParserTest.fixture("top-100.html"))));
        // When the chart is fetched
        FetchedChart chart = source.fetch(ChartRequest.of(Map.of()));
        // Then its tracks are read, with the URL and no date, and the request looked like a browser's
        assertThat(chart.tracks()).hasSize(12);
        assertThat(chart.tracks().get(4).artists()).contains("Joëlla Jackson");
        assertThat(chart.sourceUrl()).isEqualTo(server.baseUrl() + "/top-100");
        assertThat(chart.chartDate()).isNull();
        server.verify(getRequestedFor(urlEqualTo("/top-100"))
                .withHeader("User-Agent", matching("Mozilla/5\\.0.*"))
                .withHeader("Accept", matching("text/html.*")));
    }

    @Test
    void fetchesAGenreChartFromTheGenrePath() throws Exception {
        // Given the site serves a genre page
        server.stubFor(get("/genre/house/5/top-100").willReturn(aResponse().withStatus(200)
                .withBody(BeatportPageParserTest.fixture("top-100.html"))));
        // When the house chart is fetched
        FetchedChart chart = source.fetch(ChartRequest.of(Map.of("genre", "house/5")));
        // Then the genre path was used and the chart carries the genre slug
        assertThat(chart.genreSlug()).isEqualTo("house");
        assertThat(chart.sourceUrl()).endsWith("/genre/house/5/top-100");
    }

    @Test
    void treatsForbiddenAsRetryable() {
        // Given the site blocks the scraper
        server.stubFor(get("/top-100").willReturn(aResponse().withStatus(403).withBody("Forbidden")));
        // When the chart is fetched
        // Then the failure is retryable and names the status
        assertThatThrownBy(() -> source.fetch(ChartRequest.of(Map.of())))
                .isInstanceOf(ChartUnavailableException.class).hasMessageContaining("HTTP 403");
    }

    @Test
    void treatsRateLimitAndServerErrorsAsRetryable() {
        // Given the site rate-limits one path and fails on another
        server.stubFor(get("/top-100").willReturn(aResponse().withStatus(429)));
        server.stubFor(get("/genre/house/5/top-100").willReturn(aResponse().withStatus(503)));
        // When both are fetched
        // Then both failures are retryable
        assertThatThrownBy(() -> source.fetch(ChartRequest.of(Map.of()))).isInstanceOf(ChartUnavailableException.class);
        assertThatThrownBy(() -> source.fetch(ChartRequest.of(Map.of("genre", "house/5"))))
                .isInstanceOf(ChartUnavailableException.class).hasMessageContaining("HTTP 503");
    }

    @Test
    void treatsAPageWithoutChartDataAsNotRetryable() throws Exception {
        // Given the site answers 200 with a page that has no chart data
        server.stubFor(get("/top-100").willReturn(aResponse().withStatus(200)
                .withBody(BeatportPageParserTest.fixture("no-data.html"))));
        // When the chart is fetched
        // Then the failure is a poison-record error (dead-lettered without retries)
        assertThatThrownBy(() -> source.fetch(ChartRequest.of(Map.of())))
                .isInstanceOf(ChartFormatException.class).hasMessageContaining("no chart");
    }

    @Test
    void treatsNotFoundAsNotRetryable() {
        // Given an unknown genre path
        server.stubFor(get("/genre/nope/999/top-100").willReturn(aResponse().withStatus(404)));
        // When it is fetched
        // Then retrying is pointless
        assertThatThrownBy(() -> source.fetch(ChartRequest.of(Map.of("genre", "nope/999"))))
                .isInstanceOf(ChartFormatException.class).hasMessageContaining("HTTP 404");
    }

    @Test
    void treatsAnUnreachableSiteAsRetryable() {
        // Given nothing listens any more
        int port = server.port();
        server.stop();
        BeatportChartSource offline = new BeatportChartSource(RestClient.builder(), new ScraperProperties.Beatport(
                URI.create("http://localhost:" + port), Duration.ofSeconds(1), Duration.ofSeconds(1), "Mozilla/5.0 test"));
        // When the chart is fetched
        // Then the failure is retryable
        assertThatThrownBy(() -> offline.fetch(ChartRequest.of(Map.of()))).isInstanceOf(ChartUnavailableException.class);
    }
}
