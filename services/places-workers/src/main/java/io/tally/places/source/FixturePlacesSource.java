package io.tally.places.source;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The offline default: restaurants from a bundled JSON file, city name to a {@code places:searchText} response
 * ({@code fixtures/places.json}: Paris with 30 places, Lyon with 12, and Dirtyville, whose rows are made to fail the
 * data tests). Deterministic: the first {@code count} places of the city, every time. The places are made up.
 * An unknown city fails at once (not retryable), naming the cities there are.
 */
public final class FixturePlacesSource implements PlacesSource {

    private static final Logger log = LoggerFactory.getLogger(FixturePlacesSource.class);

    private final Map<String, List<Place>> cities = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    public FixturePlacesSource(Resource fixture) {
        try (InputStream in = fixture.getInputStream()) {
            JsonNode root = JsonMapper.builder().build().readTree(in);
            root.properties().forEach(city -> cities.put(city.getKey(), SearchTextResponse.of(city.getValue()).places()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the places fixture " + fixture, e);
        }
        log.info("Places source: offline fixture {} (cities {}), no API is called", fixture.getDescription(),
                cities.keySet());
    }

    @Override
    public String name() {
        return "fixture";
    }

    @Override
    public List<Place> restaurants(String city, int count) {
        List<Place> places = cities.get(city.trim());
        if (places == null) {
            throw new PlacesException(PlacesException.REJECTED, "the offline fixture has no city '%s' (it has %s)"
                    .formatted(city, String.join(", ", cities.keySet())), false, null);
        }
        return places.subList(0, Math.min(count, places.size()));
    }

    /** The fixture's cities, lower-case, for messages and tests. */
    public List<String> cities() {
        return cities.keySet().stream().map(city -> city.toLowerCase(Locale.ROOT)).toList();
    }
}
