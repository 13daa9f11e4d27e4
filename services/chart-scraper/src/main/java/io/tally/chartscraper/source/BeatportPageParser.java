package io.tally.chartscraper.source;

import java.util.ArrayList;
import java.util.List;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the tracks of a Beatport chart page from its Next.js {@code <script id="__NEXT_DATA__">} JSON, path
 * {@code props.pageProps.dehydratedState.queries[*].state.data.results} (shared/notes/beatport-page.md). Position is
 * the index in {@code results} plus one (the JSON has none). The first query that holds a results list wins.
 * Known gap: only page 1 (100 tracks) is read; the rendered HTML table is not used as a fallback.
 */
public final class BeatportPageParser {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private BeatportPageParser() {
    }

    /** The chart tracks of {@code html}, or a {@link ChartFormatException} saying what is missing. */
    public static List<ScrapedTrack> parse(String html) {
        Element script = Jsoup.parse(html).getElementById("__NEXT_DATA__");
        if (script == null) {
            throw new ChartFormatException("The page has no <script id=\"__NEXT_DATA__\">: not a Beatport chart page "
                    + "(a bot check or a redesign?)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(script.data());
        } catch (JacksonException e) {
            throw new ChartFormatException("The page's __NEXT_DATA__ is not valid JSON: " + e.getOriginalMessage());
        }
        JsonNode results = null;
        for (JsonNode query : root.path("props").path("pageProps").path("dehydratedState").path("queries")) {
            JsonNode candidate = query.path("state").path("data").path("results");
            if (candidate.isArray()) {
                results = candidate;
                break;
            }
        }
        if (results == null || results.isEmpty()) {
            throw new ChartFormatException("The page's __NEXT_DATA__ has no chart at "
                    + "props.pageProps.dehydratedState.queries[*].state.data.results");
        }
        List<ScrapedTrack> tracks = new ArrayList<>();
        int position = 1;
        for (JsonNode track : results) {
            tracks.add(track(track, position++));
        }
        return List.copyOf(tracks);
    }

    private static ScrapedTrack track(JsonNode track, int position) {
        String title = text(track.path("name"));
        List<String> artists = new ArrayList<>();
        track.path("artists").forEach(artist -> {
            String name = text(artist.path("name"));
            if (name != null) {
                artists.add(name);
            }
        });
        if (title == null || artists.isEmpty()) {
            throw new ChartFormatException("Chart entry " + position + " has no name or no artists");
        }
        JsonNode bpm = track.path("bpm");
        return new ScrapedTrack(position, List.copyOf(artists), title, text(track.path("mix_name")),
                text(track.path("release").path("label").path("name")), text(track.path("genre").path("name")),
                bpm.isNumber() ? bpm.asInt() : null, track.path("id").isMissingNode() ? null : text(track.path("id")));
    }

    private static String text(JsonNode node) {
        // Names are kept verbatim (some end in a space on Beatport); TrackKeys normalises them for keys.
        return node.isMissingNode() || node.isNull() ? null : node.asString();
    }
}
