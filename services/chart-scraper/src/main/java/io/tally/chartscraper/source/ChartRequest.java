package io.tally.chartscraper.source;

import io.tally.common.errors.PoisonRecordException;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What to fetch, read from a trigger's run parameters.
 *
 * @param genre Beatport genre path {@code <slug>/<id>} (such as {@code house/5}), or null for the overall chart
 */
public record ChartRequest(String genre) {

    private static final Pattern GENRE = Pattern.compile("[a-z0-9-]+/[0-9]+");

    /** Reads the {@code genre} parameter; a malformed one makes the trigger poison (retrying cannot fix it). */
    public static ChartRequest of(Map<String, String> parameters) {
        String genre = parameters.get("genre");
        if (genre == null || genre.isBlank()) {
            return new ChartRequest(null);
        }
        if (!GENRE.matcher(genre).matches()) {
            throw new PoisonRecordException("Run parameter genre='" + genre + "' must look like <slug>/<id>, such as house/5");
        }
        return new ChartRequest(genre);
    }

    /** The genre slug ({@code house} of {@code house/5}), or null. */
    public String genreSlug() {
        return genre == null ? null : genre.substring(0, genre.indexOf('/'));
    }
}
