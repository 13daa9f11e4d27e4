package io.tally.celebrity.source;

import io.tally.celebrity.CelebrityProperties;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import org.springframework.web.client.RestClient;

/**
 * TMDB (The Movie Database API v3): {@code GET /3/person/{id}} per celebrity, with the API read access token as a
 * bearer token; the entry's metric is the person's {@code popularity} in thousandths (a long, no floating point) and
 * its text the {@code biography}. Known gap: {@code /3/person/popular} is not used: the seed's 100 are a fixed roster
 * (so that the four sources describe the same people), not TMDB's ranking of the week.
 */
public final class TmdbSource implements CelebritySource {

    private final JsonHttp http;

    public TmdbSource(RestClient.Builder builder, CelebrityProperties.Http settings) {
        CelebrityProperties.requireKey(settings, "tally.celebrities.tmdb.api-key", "tmdb");
        this.http = new JsonHttp(builder, "TMDB", settings, headers -> headers.setBearerAuth(settings.apiKey()));
    }

    @Override
    public String source() {
        return "tmdb";
    }

    @Override
    public String adapter() {
        return "tmdb-api-v3";
    }

    @Override
    public List<SourceEntry> collect(List<Celebrity> celebrities) {
        return JsonHttp.each(celebrities, celebrity -> http.get("/3/person/{id}?language=en-US",
                Map.of("id", celebrity.tmdbId())).map(person -> new SourceEntry(celebrity,
                thousandths(person.path("popularity").decimalValue()), person.path("biography").asString(""))));
    }

    /** A popularity such as 67.066 as 67066. */
    static long thousandths(BigDecimal popularity) {
        return popularity.movePointRight(3).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }
}
