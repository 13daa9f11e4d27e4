package io.tally.tracksearch.youtube;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tally.common.youtube.YouTubeQuota;
import io.tally.common.youtube.YouTubeQuotaExceededException;
import io.tally.events.tasks.SearchTrackInput;
import io.tally.tracksearch.NonRetryableSearchException;
import io.tally.tracksearch.RetryableSearchException;
import io.tally.tracksearch.SearchProperties;
import io.tally.tracksearch.SearchResult;
import io.tally.tracksearch.TrackSearchAdapter;
import io.tally.worker.ratelimit.Throttle;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.util.StreamUtils;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.util.HtmlUtils;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Resolves a track with YouTube Data API v3 {@code search.list} (one result, videos only). 429, 5xx and 403 with
 * reason {@code rateLimitExceeded} or {@code userRateLimitExceeded} are retryable; every other 4xx is not. Each search
 * first takes its units from the day's budget ({@link YouTubeQuota}); when none are left, or YouTube answers
 * {@code quotaExceeded} (which empties the budget until the reset), the search fails as not retryable with the reason
 * and the reset time: retrying before midnight Pacific Time cannot succeed and would only burn calls (ADR 0013).
 * The API key travels only in the {@code key} query parameter and is removed from every error message.
 */
public final class YouTubeSearchAdapter implements TrackSearchAdapter {

    static final Set<String> RETRYABLE_403_REASONS = Set.of("rateLimitExceeded", "userRateLimitExceeded");
    /** The day's quota is used up (dailyLimitExceeded is the older name). */
    static final Set<String> QUOTA_403_REASONS = Set.of("quotaExceeded", "dailyLimitExceeded");
    static final String API = "search.list";

    private final RestClient client;
    private final String apiKey;
    private final Throttle throttle;
    private final YouTubeQuota quota;
    private final long searchCost;
    private final JsonMapper json = JsonMapper.builder().build();

    /**
     * @param builder  a RestClient builder (Spring Boot's, or {@code RestClient.builder()})
     * @param settings base URL, key and timeouts
     * @param throttle rate limit applied before each call
     */
    public YouTubeSearchAdapter(RestClient.Builder builder, SearchProperties.YouTube settings, Throttle throttle) {
        this(builder, settings, throttle, new SimpleMeterRegistry(), Clock.systemUTC());
    }

    /**
     * @param builder  a RestClient builder (Spring Boot's, or {@code RestClient.builder()})
     * @param settings base URL, key, timeouts and the daily budget
     * @param throttle rate limit applied before each call
     * @param meters   where the quota metrics go
     * @param clock    the quota day's clock
     */
    public YouTubeSearchAdapter(RestClient.Builder builder, SearchProperties.YouTube settings, Throttle throttle,
                                MeterRegistry meters, Clock clock) {
        if (settings.apiKey() == null || settings.apiKey().isBlank()) {
            throw new IllegalArgumentException("tally.search.youtube.api-key (env TALLY_SEARCH_YOUTUBE_API_KEY) is required "
                    + "when tally.search.adapter=youtube");
        }
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(
                HttpClient.newBuilder().connectTimeout(settings.connectTimeout()).build());
        requests.setReadTimeout(settings.readTimeout());
        this.client = builder.clone().baseUrl(settings.baseUrl()).requestFactory(requests).build();
        this.apiKey = settings.apiKey();
        this.throttle = throttle;
        this.quota = new YouTubeQuota(YouTubeQuota.SEARCH, settings.quota().dailyUnits(), settings.quota().resetZone(),
                clock, meters);
        this.searchCost = settings.quota().searchCost();
    }

    @Override
    public SearchResult search(SearchTrackInput track) {
        String query = query(track);
        try {
            quota.acquire(API, searchCost);
        } catch (YouTubeQuotaExceededException e) {
            throw new NonRetryableSearchException(NonRetryableSearchException.QUOTA_EXCEEDED,
                    "YouTube search for '" + query + "' not sent: " + e.getMessage());
        }
        throttle.acquire();
        Response response;
        try {
            response = client.get()
                    .uri("/search?part=snippet&type=video&maxResults=1&q={q}&key={key}", query, apiKey)
                    .exchange((req, res) -> new Response(res.getStatusCode(),
                            StreamUtils.copyToString(res.getBody(), StandardCharsets.UTF_8)));
        } catch (RestClientException e) {
            // Spring's I/O messages quote the request URL, which carries the key: rebuild the message without it.
            throw new RetryableSearchException("YouTube search for '" + query + "' failed: " + redact(rootMessage(e)));
        }
        if (response.status().is2xxSuccessful()) {
            return parse(response.body());
        }
        throw failure(query, response);
    }

    /** {@code <artists> <title> <mix>}, space-separated, the way people type a search. */
    static String query(SearchTrackInput track) {
        List<String> parts = new ArrayList<>(track.getArtists());
        parts.add(track.getTitle());
        if (track.getMix() != null && !track.getMix().isBlank()) {
            parts.add(track.getMix());
        }
        return String.join(" ", parts);
    }

    private SearchResult parse(String body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JacksonException e) {
            throw new RetryableSearchException("YouTube answered 200 with a body that is not JSON");
        }
        for (JsonNode item : root.path("items")) {
            String videoId = item.path("id").path("videoId").asString(null);
            if (videoId != null && !videoId.isBlank()) {
                String title = item.path("snippet").path("title").asString(null);
                return SearchResult.found(videoId, title == null ? null : HtmlUtils.htmlUnescape(title));
            }
        }
        return SearchResult.notFound();
    }

    private RuntimeException failure(String query, Response response) {
        int status = response.status().value();
        List<String> reasons = reasons(response.body());
        String message = redact("YouTube search for '%s' failed: HTTP %d %s %s".formatted(query, status, reasons,
                errorMessage(response.body())));
        if (status == 403 && reasons.stream().anyMatch(QUOTA_403_REASONS::contains)) {
            quota.exhausted();
            return new NonRetryableSearchException(NonRetryableSearchException.QUOTA_EXCEEDED, message + " (the day's quota is used up: no searches until it "
                    + quota.resetDescription() + ")");
        }
        boolean retryable = status == 429 || response.status().is5xxServerError()
                || (status == 403 && reasons.stream().anyMatch(RETRYABLE_403_REASONS::contains));
        return retryable ? new RetryableSearchException(message) : new NonRetryableSearchException(message);
    }

    /** The {@code errors[].reason} and {@code details[].reason} values of Google's error envelope. */
    private List<String> reasons(String body) {
        List<String> reasons = new ArrayList<>();
        try {
            JsonNode error = json.readTree(body).path("error");
            for (JsonNode e : error.path("errors")) {
                addIfText(reasons, e.path("reason"));
            }
            for (JsonNode d : error.path("details")) {
                addIfText(reasons, d.path("reason"));
            }
        } catch (JacksonException e) {
            // A body that is not Google's envelope (a proxy's HTML page) has no reasons; the status decides.
        }
        return reasons;
    }

    private String errorMessage(String body) {
        try {
            return json.readTree(body).path("error").path("message").asString("");
        } catch (JacksonException e) {
            return "";
        }
    }

    private static void addIfText(List<String> reasons, JsonNode node) {
        if (node.isString() && !node.asString().isBlank()) {
            reasons.add(node.asString());
        }
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root instanceof IOException ? root.getClass().getSimpleName() + ": " + root.getMessage() : failure.getMessage();
    }

    private String redact(String text) {
        return text == null ? "" : text.replace(apiKey, "<api-key>");
    }

    private record Response(HttpStatusCode status, String body) {
    }
}
