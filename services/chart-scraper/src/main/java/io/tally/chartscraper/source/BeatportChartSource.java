package io.tally.chartscraper.source;

import io.tally.chartscraper.ScraperProperties;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The live Beatport chart page, fetched with Spring's {@link RestClient} and browser-like headers and parsed by
 * {@link BeatportPageParser}. 403, 429, 5xx and I/O failures are retryable; other 4xx and pages without chart data
 * are not. Known gap: the page carries no chart date, so the date comes from the trigger.
 */
public final class BeatportChartSource implements ChartSource {

    private final RestClient client;
    private final URI baseUrl;

    public BeatportChartSource(RestClient.Builder builder, ScraperProperties.Beatport settings) {
        this.baseUrl = settings.baseUrl();
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(HttpClient.newBuilder()
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build());
        requests.setReadTimeout(settings.readTimeout());
        this.client = builder
                .requestFactory(requests)
                .defaultHeader(HttpHeaders.USER_AGENT, settings.userAgent())
                .defaultHeader(HttpHeaders.ACCEPT, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
                .defaultHeader(HttpHeaders.ACCEPT_LANGUAGE, "en-US,en;q=0.9")
                .build();
    }

    @Override
    public String name() {
        return "beatport";
    }

    @Override
    public FetchedChart fetch(ChartRequest request) {
        URI url = chartUrl(request);
        String html;
        try {
            html = client.get().uri(url).retrieve().body(String.class);
        } catch (RestClientResponseException e) {
            throw classify(url, e.getStatusCode(), e);
        } catch (ResourceAccessException e) {
            throw new ChartUnavailableException("Cannot reach " + url + ": " + e.getMessage(), e);
        }
        if (html == null || html.isBlank()) {
            throw new ChartFormatException("Empty answer from " + url);
        }
        List<ScrapedTrack> tracks = BeatportPageParser.parse(html);
        return new FetchedChart(tracks, null, url.toString(), request.genreSlug());
    }

    /** {@code {base}/top-100}, or {@code {base}/genre/{slug}/{id}/top-100} for a genre chart. */
    URI chartUrl(ChartRequest request) {
        UriComponentsBuilder url = UriComponentsBuilder.fromUri(baseUrl);
        if (request.genre() != null) {
            url.pathSegment("genre").pathSegment(request.genre().split("/"));
        }
        return url.pathSegment("top-100").build().toUri();
    }

    private static RuntimeException classify(URI url, HttpStatusCode status, RestClientResponseException e) {
        String message = "Beatport answered HTTP " + status.value() + " for " + url;
        if (status.value() == HttpStatus.FORBIDDEN.value() || status.value() == HttpStatus.TOO_MANY_REQUESTS.value()
                || status.is5xxServerError()) {
            return new ChartUnavailableException(message + " (blocked, rate-limited or down; retrying)", e);
        }
        return new ChartFormatException(message + " (not retried)");
    }
}
