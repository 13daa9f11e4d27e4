package io.tally.celebrity.source;

import io.tally.celebrity.CelebrityProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;

/**
 * A news API in NewsAPI.org's shape: {@code GET /v2/everything?q="<name>"&searchIn=title,description&pageSize=N}
 * with the key in the {@code X-Api-Key} header; the metric is {@code totalResults}, the text the articles' titles
 * and descriptions. NewsAPI answers errors as {@code {"status":"error","code":...}} with 401 (bad key), 429
 * (rate limited) or 5xx, which {@link JsonHttp}'s rule covers.
 */
public final class NewsApiSource implements CelebritySource {

    private final JsonHttp http;
    private final int pageSize;

    public NewsApiSource(RestClient.Builder builder, CelebrityProperties.Http settings) {
        CelebrityProperties.requireKey(settings, "tally.celebrities.news.api-key", "newsapi");
        this.http = new JsonHttp(builder, "News API", settings, headers -> headers.set("X-Api-Key", settings.apiKey()));
        this.pageSize = settings.pageSize();
    }

    @Override
    public String source() {
        return "news";
    }

    @Override
    public String adapter() {
        return "newsapi-v2";
    }

    @Override
    public List<SourceEntry> collect(List<Celebrity> celebrities) {
        return JsonHttp.each(celebrities, celebrity -> http.get("/v2/everything?q={q}&searchIn=title,description"
                + "&sortBy=publishedAt&pageSize={size}", Map.of("q", "\"" + celebrity.name() + "\"", "size", pageSize))
                .map(answer -> entry(celebrity, answer)));
    }

    private static SourceEntry entry(Celebrity celebrity, JsonNode answer) {
        if (!"ok".equals(answer.path("status").asString(""))) {
            throw new SourceUnavailableException("News API answered status '" + answer.path("status").asString("")
                    + "' for " + celebrity.name());
        }
        List<String> lines = new ArrayList<>();
        for (JsonNode article : answer.path("articles")) {
            lines.add((article.path("title").asString("") + " " + article.path("description").asString("")).strip());
        }
        return new SourceEntry(celebrity, answer.path("totalResults").asLong(0), String.join("\n", lines));
    }
}
