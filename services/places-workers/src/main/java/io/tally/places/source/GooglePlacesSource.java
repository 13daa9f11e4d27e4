package io.tally.places.source;

import io.tally.places.PlacesProperties;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;

/**
 * Google Places API (New) Text Search: {@code POST {baseUrl}/v1/places:searchText} with {@code X-Goog-Api-Key} and a
 * field mask, {@code {"textQuery": "restaurants in <city>", "pageSize": n}}, following {@code nextPageToken} until
 * {@code count} places (the API gives at most 20 per page and 60 in all). 429, 5xx and I/O failures are retryable;
 * 400, 403 and other 4xx are not (a bad request or a refused key stays so).
 * Known gap: a page token is only valid for a short while; a retried task starts from the first page again.
 */
public final class GooglePlacesSource implements PlacesSource {

    /** The fields asked for: what {@link SearchTextResponse} reads, and the next page's token. */
    public static final String FIELD_MASK = "places.id,places.displayName,places.formattedAddress,places.rating,"
            + "places.userRatingCount,places.priceLevel,places.types,nextPageToken";

    private final RestClient client;
    private final URI searchUrl;
    private final PlacesProperties.Google settings;

    public GooglePlacesSource(RestClient.Builder builder, PlacesProperties.Google settings) {
        if (settings.apiKey() == null || settings.apiKey().isBlank()) {
            throw new IllegalStateException("tally.places.source is google but tally.places.google.api-key is not set");
        }
        this.settings = settings;
        this.searchUrl = URI.create(settings.baseUrl().toString().replaceAll("/+$", "") + "/v1/places:searchText");
        // HTTP/1.1: the JDK client's cleartext HTTP/2 upgrade of a POST with a body is refused by some peers (a local
        // stand-in, a proxy); the API answers HTTP/1.1 the same.
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(settings.connectTimeout()).build());
        requests.setReadTimeout(settings.readTimeout());
        this.client = builder.requestFactory(requests)
                .defaultHeader("X-Goog-Api-Key", settings.apiKey())
                .defaultHeader("X-Goog-FieldMask", FIELD_MASK)
                .build();
    }

    @Override
    public String name() {
        return "google";
    }

    @Override
    public List<Place> restaurants(String city, int count) {
        List<Place> places = new ArrayList<>();
        String pageToken = null;
        do {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("textQuery", "restaurants in " + city);
            body.put("pageSize", Math.min(settings.maxPageSize(), count - places.size()));
            body.put("languageCode", settings.languageCode());
            if (pageToken != null) {
                body.put("pageToken", pageToken);
            }
            SearchTextResponse page = SearchTextResponse.parse(post(body));
            page.places().stream().limit(count - places.size()).forEach(places::add);
            pageToken = page.places().isEmpty() ? null : page.nextPageToken();
        } while (pageToken != null && places.size() < count);
        return places;
    }

    private String post(Map<String, Object> body) {
        try {
            String answer = client.post().uri(searchUrl).contentType(MediaType.APPLICATION_JSON).body(body)
                    .retrieve().body(String.class);
            return answer == null || answer.isBlank() ? "{}" : answer;
        } catch (RestClientResponseException e) {
            throw classify(e.getStatusCode(), e);
        } catch (ResourceAccessException e) {
            throw new PlacesException(PlacesException.UNAVAILABLE, "cannot reach " + searchUrl + ": " + e.getMessage(),
                    true, e);
        }
    }

    private PlacesException classify(HttpStatusCode status, RestClientResponseException e) {
        String message = "Places API answered HTTP %d for %s: %s".formatted(status.value(), searchUrl,
                abbreviate(e.getResponseBodyAsString()));
        if (status.value() == 429 || status.is5xxServerError()) {
            return new PlacesException(PlacesException.UNAVAILABLE, message + " (retrying)", true, e);
        }
        return new PlacesException(PlacesException.REJECTED, message + " (not retried)", false, e);
    }

    private static String abbreviate(String text) {
        String oneLine = text == null ? "" : text.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= 300 ? oneLine : oneLine.substring(0, 300) + "…";
    }
}
