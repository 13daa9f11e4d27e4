package io.tally.playlist;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.http.MediaType;
import org.springframework.http.client.JdkClientHttpRequestFactory;
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
 * 429, 5xx and I/O errors are retried with exponential backoff; other 4xx (including 403 quotaExceeded) fail at once.
 * Known gap: the search for an earlier playlist pages through all of the account's playlists (1 unit per 50).
 */
public final class YouTubePlaylistAdapter implements PlaylistAdapter {

    private static final Logger log = LoggerFactory.getLogger(YouTubePlaylistAdapter.class);

    private final RestClient http;
    private final RetryTemplate retry;
    private final String privacyStatus;
    private final Duration maxDuration;

    /** An adapter without a time budget per playlist. */
    public YouTubePlaylistAdapter(RestClient.Builder builder, PlaylistProperties.YouTube config) {
        this(builder, config, ChronoUnit.FOREVER.getDuration());
    }

    /**
     * @param maxDuration time budget of one {@link #create}: no call starts after it (the attempt fails and the next
     *                    one resumes, since only missing videos are inserted), so a delivery ends within the budget
     *                    plus one call's worst case
     */
    public YouTubePlaylistAdapter(RestClient.Builder builder, PlaylistProperties.YouTube config, Duration maxDuration) {
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(
                java.net.http.HttpClient.newBuilder().connectTimeout(config.timeout()).build());
        requests.setReadTimeout(config.timeout());
        this.http = builder.clone()
                .baseUrl(config.baseUrl().toString())
                .requestFactory(requests)
                .defaultHeaders(headers -> {
                    if (config.oauthToken() != null && !config.oauthToken().isBlank()) {
                        headers.setBearerAuth(config.oauthToken());
                    }
                })
                .build();
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
        String playlistId = findOwn(draft);
        Set<String> present = new HashSet<>();
        if (playlistId == null) {
            playlistId = insertPlaylist(draft);
        } else {
            present.addAll(videosIn(playlistId));
            log.info("Reusing playlist {} of {} ({} videos already in it)", playlistId, draft.sourceRef(), present.size());
        }
        int inserted = 0;
        for (PlaylistEntry entry : draft.entries()) {
            if (present.add(entry.videoId())) {
                if (System.nanoTime() - deadline > 0) {
                    throw new PlaylistAdapterException("playlist %s of %s not finished within %s (%d videos inserted in this attempt, %d of %d in it); the next attempt resumes"
                            .formatted(playlistId, draft.sourceRef(), maxDuration, inserted, present.size() - 1, draft.entries().size()), null);
                }
                insertItem(playlistId, entry.videoId());
                inserted++;
            }
        }
        return new CreatedPlaylist(playlistId, "https://www.youtube.com/playlist?list=" + playlistId);
    }

    private long deadline() {
        long now = System.nanoTime();
        // FOREVER does not fit in nanoseconds: treat anything beyond a year as no budget.
        return maxDuration.compareTo(Duration.ofDays(365)) > 0 ? now + Long.MAX_VALUE / 2 : now + maxDuration.toNanos();
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

    private <T> T call(String method, java.util.function.Supplier<T> request) {
        try {
            return retry.execute(request::get);
        } catch (RetryException e) {
            Throwable last = e.getLastException() != null ? e.getLastException() : e.getCause();
            throw new PlaylistAdapterException("YouTube " + method + " failed after " + (e.getRetryCount() + 1)
                    + " attempt(s): " + describe(last), last);
        }
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
