package io.tally.chartscraper.source;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.springframework.core.io.Resource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The offline default: the real Beatport Top 100 of 2026-01-25 (shared/data/beatport-top100-sample.json, notes and
 * source kept), read once at start. Known gap: it serves that one chart whatever the genre parameter says.
 */
public final class SampleChartSource implements ChartSource {

    private final FetchedChart chart;

    public SampleChartSource(Resource resource) {
        this.chart = read(resource);
    }

    @Override
    public String name() {
        return "sample";
    }

    @Override
    public FetchedChart fetch(ChartRequest request) {
        return chart;
    }

    private static FetchedChart read(Resource resource) {
        JsonNode root;
        try (InputStream in = resource.getInputStream()) {
            root = JsonMapper.builder().build().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the sample chart " + resource, e);
        }
        List<ScrapedTrack> tracks = new ArrayList<>();
        for (JsonNode track : root.path("tracks")) {
            List<String> artists = new ArrayList<>();
            track.path("artists").forEach(artist -> artists.add(artist.asString()));
            tracks.add(new ScrapedTrack(track.path("position").asInt(), List.copyOf(artists),
                    track.path("title").asString(), text(track, "mix"), text(track, "label"), text(track, "genre"),
                    track.hasNonNull("bpm") ? track.get("bpm").asInt() : null,
                    track.hasNonNull("beatport_track_id") ? track.get("beatport_track_id").asString() : null));
        }
        if (tracks.isEmpty()) {
            throw new IllegalStateException("The sample chart " + resource + " has no tracks");
        }
        return new FetchedChart(List.copyOf(tracks), LocalDate.parse(root.path("date").asString()), null, null);
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asString() : null;
    }
}
