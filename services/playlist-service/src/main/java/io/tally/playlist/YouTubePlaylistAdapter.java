package io.tally.playlist;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tally.common.youtube.YouTubeQuota;
import io.tally.common.youtube.YouTubeQuotaExceededException;
import io.tally.playlist.youtube.YouTubeAuthorization;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.security.oauth2.core.OAuth2AuthorizationException;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;

/**
 * The YouTube Data API v3 adapter: {@code playlists.insert} then one {@code playlistItems.insert} per entry, with the
 * OAuth token as a bearer header. Idempotent per sourceRef: before inserting it lists the account's playlists
 * ({@code playlists.list?mine=true}) for one whose description carries the marker line {@code tally:source=<sourceRef>},
 * reuses it, and only adds the videos it does not hold yet (a crash mid-fill resumes instead of duplicating).
 * 429, 5xx and I/O errors are retried with exponential backoff; other 4xx fail at once.
 * <p>Access tokens come from Spring Security's authorized-client manager ({@link YouTubeAuthorization}), which renews
 * them from the stored refresh token; a 401 leads to exactly one renewal and one retry of that call. A refused refresh
 * token fails the playlist with "{@value YouTubeAuthorization#REAUTHORIZE}". Without an OAuth client id the fixed
 * {@code oauth-token} is sent as before (it expires after about an hour).
 * <p>Quota: after listing, the units the playlist still needs (50 for the playlist, 50 per missing video) are checked
 * against what is left of the day's budget ({@link YouTubeQuota}); a playlist that does not fit is refused before any
 * insert. Every call is charged; {@code quotaExceeded} from YouTube empties the budget until the reset.
 * Known gap: the search for an earlier playlist pages through all of the account's playlists (1 unit per 50).
 */
public final class YouTubePlaylistAdapter implements PlaylistAdapter {

    private static final Logger log = LoggerFactory.getLogger(YouTubePlaylistAdapter.class);

    /** Units per call (Google's quota table; list calls cost 1 per page). */
    static final long LIST_COST = 1;
    static final long INSERT_COST = 50;
    private static final Map<String, Long> COSTS = Map.of("playlists.list", LIST_COST, "playlistItems.list", LIST_COST,
            "playlists.insert", INSERT_COST, "playlistItems.insert", INSERT_COST);

    private final RestClient http;
    private final RetryTemplate retry;
    private final String privacyStatus;
    private final Duration maxDuration;
    private final YouTubeAuthorization authorization;
    private final YouTubeQuota quota;

    /** With metrics nowhere, the system clock and no time budget per playlist (tests of the calls alone). */
    public YouTubePlaylistAdapter(RestClient.Builder builder, PlaylistProperties.YouTube config) {
        this(builder, config, new SimpleMeterRegistry(), Clock.systemUTC());
    }

    /** Without a time budget per playlist. */
    public YouTubePlaylistAdapter(RestClient.Builder builder, PlaylistProperties.YouTube config, MeterRegistry meters,
                                  Clock clock) {
        this(builder, config, meters, clock, ChronoUnit.FOREVER.getDuration());
    }

    /**
     * @param builder     a RestClient builder (Spring Boot's, or {@code RestClient.builder()})
     * @param config      the adapter's settings
     * @param meters      where the quota metrics go
     * @param clock       the quota day's clock
     * @param maxDuration time budget of one {@link #create}: no call starts after it (the attempt fails and the next
     *                    one resumes, since only missing videos are inserted), so a task attempt ends within the budget
     *                    plus one call's worst case
     * @throws IllegalArgumentException when neither an OAuth client nor a fixed token is configured
     */
    public YouTubePlaylistAdapter(RestClient.Builder builder, PlaylistProperties.YouTube config, MeterRegistry meters,
                                  Clock clock, Duration maxDuration) {
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(
                java.net.http.HttpClient.newBuilder().connectTimeout(config.timeout()).build());
        requests.setReadTimeout(config.timeout());
        RestClient.Builder client = builder.clone()
                .baseUrl(config.baseUrl().toString())
                .requestFactory(requests);
        if (config.oauth().enabled()) {
            this.authorization = new YouTubeAuthorization(config.oauth(), config.timeout());
            authorization.applyTo(client);
            if (config.oauthToken() != null && !config.oauthToken().isBlank()) {
                log.info("tally.playlist.youtube.oauth-token is ignored: access tokens come from the refresh token in {}",
                        config.oauth().refreshTokenFile());
            }
        } else if (config.oauthToken() != null && !config.oauthToken().isBlank()) {
            this.authorization = null;
            log.warn("YouTube adapter uses the fixed tally.playlist.youtube.oauth-token, which Google expires after about "
                    + "an hour; set tally.playlist.youtube.oauth.client-id/client-secret and run tally auth youtube to renew it");
            client.defaultHeaders(headers -> headers.setBearerAuth(config.oauthToken()));
        } else {
            throw new IllegalArgumentException("tally.playlist.adapter=youtube needs an OAuth client: set "
                    + "tally.playlist.youtube.oauth.client-id and client-secret (env TALLY_YOUTUBE_CLIENT_ID, "
                    + "TALLY_YOUTUBE_CLIENT_SECRET) and run tally auth youtube, or a fixed tally.playlist.youtube.oauth-token");
        }
        this.quota = new YouTubeQuota(YouTubeQuota.GENERAL, config.quota().dailyUnits(), config.quota().resetZone(),
                clock, meters);
        // Added after the OAuth interceptor, so it runs once a token is there: a call is charged when it is sent
        // (Google charges failed calls too), and not when the token endpoint refused to renew.
        client.requestInterceptor((request, body, execution) -> {
            String api = api(request.getMethod(), request.getURI().getPath());
            quota.charge(api, COSTS.getOrDefault(api, LIST_COST));
            return execution.execute(request, body);
        });
        this.http = client.build();
        this.retry = new RetryTemplate(RetryPolicy.builder()
                .maxRetries(config.maxAttempts() - 1L)
                .delay(config.initialBackoff())
                .multiplier(2)
                .maxDelay(config.maxBackoff())
                .predicate(YouTubePlaylistAdapter::retryable)
                .build());
        this.privacyStatus = config.privacyStatus();
        this.maxDuration = maxDuration;
    }

    @Override
    public String name() {
        return "youtube";
    }

    @Override
    public CreatedPlaylist create(PlaylistDraft draft) {
        long deadline = deadline();
        require(LIST_COST);
        String playlistId = findOwn(draft);
        Set<String> present = new HashSet<>();
        if (playlistId != null) {
            present.addAll(videosIn(playlistId));
            log.info("Reusing playlist {} of {} ({} videos already in it)", playlistId, draft.sourceRef(), present.size());
        }
        Set<String> missing = new LinkedHashSet<>();
        for (PlaylistEntry entry : draft.entries()) {
            if (!present.contains(entry.videoId())) {
                missing.add(entry.videoId());
            }
        }
        // The whole playlist or nothing: half a playlist would burn the day's units and still need another day.
        require((playlistId == null ? INSERT_COST : 0) + INSERT_COST * missing.size());
        if (playlistId == null) {
            playlistId = insertPlaylist(draft);
        }
        int inserted = 0;
        for (String videoId : missing) {
            if (System.nanoTime() - deadline > 0) {
                throw new PlaylistAdapterException(("playlist %s of %s not finished within %s (%d videos inserted in this "
                        + "attempt, %d of %d in it); the next attempt resumes").formatted(playlistId, draft.sourceRef(),
                        maxDuration, inserted, present.size() + inserted, draft.entries().size()), null);
            }
            insertItem(playlistId, videoId);
            inserted++;
        }
        return new CreatedPlaylist(playlistId, "https://www.youtube.com/playlist?list=" + playlistId);
    }

    private long deadline() {
        long now = System.nanoTime();
        // FOREVER does not fit in nanoseconds: treat anything beyond a year as no budget.
        return maxDuration.compareTo(Duration.ofDays(365)) > 0 ? now + Long.MAX_VALUE / 2 : now + maxDuration.toNanos();
    }

    private void require(long units) {
        try {
            quota.require(units);
        } catch (YouTubeQuotaExceededException e) {
            throw new PlaylistRefusedException(e.getMessage(), e);
        }
    }

    private String findOwn(PlaylistDraft draft) {
        String pageToken = null;
        do {
            String token = pageToken;
            PlaylistPage page = call("playlists.list", () -> http.get()
                    .uri(uri -> uri.path("/playlists").queryParam("part", "snippet").queryParam("mine", true)
                            .queryParam("maxResults", 50).queryParamIfPresent("pageToken", java.util.Optional.ofNullable(token))
                            .build())
                    .retrieve().body(PlaylistPage.class));
            if (page == null) {
                return null;
            }
            for (Resource playlist : page.itemsOrEmpty()) {
                if (playlist.snippet() != null && carriesMarker(playlist.snippet().description(), draft.marker())) {
                    return playlist.id();
                }
            }
            pageToken = page.nextPageToken();
        } while (pageToken != null);
        return null;
    }

    /** The marker is a whole line, so "charts/a" never matches a playlist of "charts/ab". */
    static boolean carriesMarker(String description, String marker) {
        return description != null && description.lines().map(String::strip).anyMatch(marker::equals);
    }

    private Set<String> videosIn(String playlistId) {
        Set<String> videos = new HashSet<>();
        String pageToken = null;
        do {
            String token = pageToken;
            PlaylistPage page = call("playlistItems.list", () -> http.get()
                    .uri(uri -> uri.path("/playlistItems").queryParam("part", "snippet").queryParam("playlistId", playlistId)
                            .queryParam("maxResults", 50).queryParamIfPresent("pageToken", java.util.Optional.ofNullable(token))
                            .build())
                    .retrieve().body(PlaylistPage.class));
            if (page == null) {
                break;
            }
            for (Resource item : page.itemsOrEmpty()) {
                if (item.snippet() != null && item.snippet().resourceId() != null) {
                    videos.add(item.snippet().resourceId().videoId());
                }
            }
            pageToken = page.nextPageToken();
        } while (pageToken != null);
        return videos;
    }

    private String insertPlaylist(PlaylistDraft draft) {
        Map<String, Object> body = Map.of(
                "snippet", Map.of("title", draft.title(), "description", draft.description()),
                "status", Map.of("privacyStatus", privacyStatus));
        Resource created = call("playlists.insert", () -> http.post()
                .uri(uri -> uri.path("/playlists").queryParam("part", "snippet,status").build())
                .contentType(MediaType.APPLICATION_JSON).body(body)
                .retrieve().body(Resource.class));
        if (created == null || created.id() == null || created.id().isBlank()) {
            throw new PlaylistAdapterException("playlists.insert returned no playlist id", null);
        }
        return created.id();
    }

    private void insertItem(String playlistId, String videoId) {
        Map<String, Object> body = Map.of("snippet", Map.of("playlistId", playlistId,
                "resourceId", Map.of("kind", "youtube#video", "videoId", videoId)));
        call("playlistItems.insert", () -> http.post()
                .uri(uri -> uri.path("/playlistItems").queryParam("part", "snippet").build())
                .contentType(MediaType.APPLICATION_JSON).body(body)
                .retrieve().toBodilessEntity());
    }

    /**
     * One API call with its retries. A 401 means the access token was refused (expired early, or revoked): the
     * interceptor has dropped it, so the call is made once more with a renewed token; a second 401 ends it.
     */
    private <T> T call(String method, java.util.function.Supplier<T> request) {
        try {
            return attempts(method, request);
        } catch (HttpClientErrorException.Unauthorized rejected) {
            if (authorization == null) {
                throw new PlaylistRefusedException("YouTube " + method + " refused the fixed tally.playlist.youtube.oauth-token "
                        + "(401; it expires after about an hour): configure tally.playlist.youtube.oauth.client-id/client-secret and "
                        + YouTubeAuthorization.REAUTHORIZE, rejected);
            }
            log.info("YouTube {} refused the access token (401): renewing it once and retrying the call", method);
            try {
                return attempts(method, request);
            } catch (HttpClientErrorException.Unauthorized again) {
                throw new PlaylistRefusedException("YouTube " + method + " refused a freshly renewed access token (401): "
                        + YouTubeAuthorization.REAUTHORIZE, again);
            }
        }
    }

    private <T> T attempts(String method, java.util.function.Supplier<T> request) {
        try {
            return retry.execute(request::get);
        } catch (RetryException e) {
            Throwable last = e.getLastException() != null ? e.getLastException() : e.getCause();
            if (last instanceof HttpClientErrorException.Unauthorized unauthorized) {
                throw unauthorized;
            }
            if (last instanceof OAuth2AuthorizationException refused) {
                throw new PlaylistRefusedException("YouTube " + method + " not sent: " + authorization.describe(refused), refused);
            }
            if (isQuotaExceeded(last)) {
                quota.exhausted();
                throw new PlaylistRefusedException("YouTube " + method + " answered 403 quotaExceeded: the day's quota is "
                        + "used up, no more calls until it " + quota.resetDescription(), last);
            }
            throw new PlaylistAdapterException("YouTube " + method + " failed after " + (e.getRetryCount() + 1)
                    + " attempt(s): " + describe(last), last);
        }
    }

    /** The quota table's name of a call: {@code playlists.insert}, {@code playlistItems.list}, … */
    static String api(HttpMethod method, String path) {
        String resource = path.substring(path.lastIndexOf('/') + 1);
        return resource + (HttpMethod.POST.equals(method) ? ".insert" : ".list");
    }

    /** 403 with reason quotaExceeded (or the older dailyLimitExceeded): retrying cannot help before the reset. */
    private static boolean isQuotaExceeded(Throwable error) {
        if (!(error instanceof HttpClientErrorException.Forbidden forbidden)) {
            return false;
        }
        String body = forbidden.getResponseBodyAsString();
        return body.contains("\"quotaExceeded\"") || body.contains("\"dailyLimitExceeded\"");
    }

    private static boolean retryable(Throwable error) {
        return error instanceof HttpServerErrorException
                || error instanceof HttpClientErrorException.TooManyRequests
                || error instanceof ResourceAccessException;
    }

    /** Status and body of an HTTP error (the body is Google's error envelope, which names the reason). */
    private static String describe(Throwable error) {
        if (error instanceof RestClientResponseException response) {
            String body = response.getResponseBodyAsString();
            return response.getStatusCode().value() + " " + (body.length() > 500 ? body.substring(0, 500) + "…" : body);
        }
        return String.valueOf(error);
    }

    /** A page of playlists.list or playlistItems.list. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record PlaylistPage(String nextPageToken, List<Resource> items) {
        List<Resource> itemsOrEmpty() {
            return items == null ? List.of() : items;
        }
    }

    /** A playlist or playlist item resource, reduced to the fields the adapter reads. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Resource(String id, Snippet snippet) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Snippet(String title, String description, ResourceId resourceId) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ResourceId(String kind, String videoId) {
    }
}
