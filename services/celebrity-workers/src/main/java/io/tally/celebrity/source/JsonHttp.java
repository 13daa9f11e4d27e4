package io.tally.celebrity.source;

import io.tally.celebrity.CelebrityProperties;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.util.StreamUtils;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP side the four real adapters share: a GET with timeouts that answers a JSON tree, and one rule for
 * failures: 404 is "not known" (empty), 429, 5xx, I/O errors and a body that is not JSON are
 * {@link SourceUnavailableException} (retried), every other 4xx is {@link SourceRejectedException} (not retried).
 * The API key is removed from every message.
 */
final class JsonHttp {

    private final RestClient client;
    private final String name;
    private final String secret;
    private final JsonMapper json = JsonMapper.builder().build();

    JsonHttp(RestClient.Builder builder, String name, CelebrityProperties.Http settings, Consumer<HttpHeaders> headers) {
        if (settings.baseUrl() == null) {
            throw new IllegalArgumentException("the " + name + " adapter needs a base-url (tally.celebrities.<source>.base-url)");
        }
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(
                HttpClient.newBuilder().connectTimeout(settings.connectTimeout()).build());
        requests.setReadTimeout(settings.readTimeout());
        this.client = builder.clone().baseUrl(settings.baseUrl().toString()).requestFactory(requests)
                .defaultHeaders(headers).build();
        this.name = name;
        this.secret = settings.apiKey();
    }

    /** One entry per celebrity that {@code ask} answers for, in order: a celebrity the source does not know is left out. */
    static List<SourceEntry> each(List<Celebrity> celebrities, Function<Celebrity, Optional<SourceEntry>> ask) {
        List<SourceEntry> entries = new ArrayList<>(celebrities.size());
        for (Celebrity celebrity : celebrities) {
            ask.apply(celebrity).ifPresent(entries::add);
        }
        return entries;
    }

    /** GET {@code uri} (a template over {@code variables}); empty on 404. */
    Optional<JsonNode> get(String uri, Map<String, ?> variables) {
        Response response;
        try {
            response = client.get().uri(uri, variables).exchange((request, answer) -> new Response(answer.getStatusCode(),
                    StreamUtils.copyToString(answer.getBody(), StandardCharsets.UTF_8)));
        } catch (RestClientException e) {
            throw new SourceUnavailableException(redact(name + " did not answer " + uri + " " + variables.values() + ": "
                    + rootMessage(e)));
        }
        int status = response.status().value();
        if (status == 404) {
            return Optional.empty();
        }
        String what = redact("%s answered HTTP %d to %s %s: %s".formatted(name, status, uri, variables.values(),
                abbreviate(response.body())));
        if (status == 429 || response.status().is5xxServerError()) {
            throw new SourceUnavailableException(what);
        }
        if (!response.status().is2xxSuccessful()) {
            throw new SourceRejectedException(what);
        }
        try {
            return Optional.of(json.readTree(response.body()));
        } catch (JacksonException e) {
            throw new SourceUnavailableException(redact(name + " answered " + uri + " with a body that is not JSON"));
        }
    }

    private String redact(String text) {
        return secret == null || secret.isBlank() ? text : text.replace(secret, "<api-key>");
    }

    private static String abbreviate(String body) {
        String flat = body == null ? "" : body.replaceAll("\\s+", " ").strip();
        return flat.length() <= 200 ? flat : flat.substring(0, 200) + "…";
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root instanceof IOException ? root.getClass().getSimpleName() + ": " + root.getMessage() : failure.getMessage();
    }

    private record Response(HttpStatusCode status, String body) {
    }
}
