package io.tally.celebrity.source;

import io.tally.celebrity.CelebrityProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;

/**
 * A social source in a small documented JSON shape (services/celebrity-workers/README.md#the-social-source), since
 * the big networks have no open search API: {@code GET /v1/mentions?query=<name>&limit=N} answers
 * {@code {"query": "...", "mentions": 1234, "posts": [{"text": "..."}]}}; the metric is {@code mentions}, the text
 * the posts. A key, when set, goes as a bearer token.
 */
public final class SocialSource implements CelebritySource {

    private final JsonHttp http;
    private final int pageSize;

    public SocialSource(RestClient.Builder builder, CelebrityProperties.Http settings) {
        this.http = new JsonHttp(builder, "Social source", settings, headers -> {
            if (settings.apiKey() != null && !settings.apiKey().isBlank()) {
                headers.setBearerAuth(settings.apiKey());
            }
        });
        this.pageSize = settings.pageSize();
    }

    @Override
    public String source() {
        return "social";
    }

    @Override
    public String adapter() {
        return "social-http";
    }

    @Override
    public List<SourceEntry> collect(List<Celebrity> celebrities) {
        return JsonHttp.each(celebrities, celebrity -> http.get("/v1/mentions?query={q}&limit={limit}",
                Map.of("q", celebrity.name(), "limit", pageSize)).map(answer -> {
                    List<String> posts = new ArrayList<>();
                    for (JsonNode post : answer.path("posts")) {
                        posts.add(post.path("text").asString(""));
                    }
                    return new SourceEntry(celebrity, answer.path("mentions").asLong(0), String.join("\n", posts));
                }));
    }
}
