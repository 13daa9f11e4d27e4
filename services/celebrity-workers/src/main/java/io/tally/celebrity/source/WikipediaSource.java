package io.tally.celebrity.source;

import io.tally.celebrity.CelebrityProperties;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;

/**
 * English Wikipedia: the REST API's {@code GET /api/rest_v1/page/summary/{title}} for the text (its {@code extract})
 * and the Action API's page views of the last 30 days ({@code /w/api.php?action=query&prop=pageviews}) for the
 * metric, both on the same host. Wikimedia asks API clients for a descriptive User-Agent with a contact, which
 * {@code tally.celebrities.wikipedia.user-agent} sets.
 */
public final class WikipediaSource implements CelebritySource {

    private final JsonHttp http;

    public WikipediaSource(RestClient.Builder builder, CelebrityProperties.Http settings) {
        this.http = new JsonHttp(builder, "Wikipedia", settings, headers -> headers.set("User-Agent", settings.userAgent()));
    }

    @Override
    public String source() {
        return "wikipedia";
    }

    @Override
    public String adapter() {
        return "wikipedia-rest";
    }

    @Override
    public List<SourceEntry> collect(List<Celebrity> celebrities) {
        return JsonHttp.each(celebrities, celebrity -> http.get("/api/rest_v1/page/summary/{title}",
                Map.of("title", celebrity.wikipediaTitle())).map(summary ->
                new SourceEntry(celebrity, pageviews(celebrity), summary.path("extract").asString(""))));
    }

    /** The page's views of the last 30 days (a day without data is null in the answer); 0 for an unknown page. */
    private long pageviews(Celebrity celebrity) {
        long views = 0;
        Optional<JsonNode> query = http.get("/w/api.php?action=query&prop=pageviews&pvipdays=30&format=json"
                + "&formatversion=2&titles={title}", Map.of("title", celebrity.wikipediaTitle()));
        for (JsonNode page : query.map(answer -> answer.path("query").path("pages")).orElse(MissingNode.getInstance())) {
            for (JsonNode day : page.path("pageviews")) {
                views += day.isNumber() ? day.longValue() : 0;
            }
        }
        return views;
    }
}
