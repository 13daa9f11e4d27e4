package io.tally.common.jobs;

import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The stable key of a track: a hash of its normalized artists, title and mix. Two charts that list the same
 * recording with different capitalisation, accents, spacing, artist order or "&amp;" versus "and" get the same key.
 */
public final class TrackKeys {

    private static final Pattern MARKS = Pattern.compile("\\p{M}+");
    private static final Pattern NOT_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");

    private TrackKeys() {
    }

    /** {@code trk-} and 20 hex characters of SHA-256 over the normalized parts. */
    public static String of(List<String> artists, String title, String mix) {
        String normalizedArtists = artists.stream().map(TrackKeys::normalize).filter(a -> !a.isEmpty()).sorted()
                .reduce((a, b) -> a + "," + b).orElse("");
        String text = normalizedArtists + "|" + normalize(title) + "|" + normalize(mix == null ? "" : mix);
        return "trk-" + JobIds.sha256Hex(text).substring(0, 20);
    }

    /** Lower case, accents removed, "&amp;" read as "and", runs of anything but letters and digits as one space. */
    static String normalize(String text) {
        String decomposed = Normalizer.normalize(text.replace("&", " and "), Normalizer.Form.NFKD);
        String plain = MARKS.matcher(decomposed).replaceAll("").toLowerCase(Locale.ROOT);
        return NOT_WORD.matcher(plain).replaceAll(" ").trim();
    }
}
