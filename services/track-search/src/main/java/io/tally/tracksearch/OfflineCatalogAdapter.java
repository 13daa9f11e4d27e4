package io.tally.tracksearch;

import io.tally.common.jobs.JobIds;
import io.tally.events.tasks.SearchTrackInput;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The offline default: a deterministic local catalog, so the pipeline runs with no account. Every track is found
 * with an 11-character URL-safe video id derived from sha256(trackKey), except titles listed as not found or
 * failing; failing titles can be limited to their first attempts ({@code fail-attempts}), so a redriven dead letter
 * succeeds. Known gap: the ids do not exist on YouTube, so playlists built from them are placeholders.
 */
public final class OfflineCatalogAdapter implements TrackSearchAdapter {

    /** Length of a YouTube video id. */
    static final int VIDEO_ID_LENGTH = 11;

    private final List<String> notFound;
    private final List<String> failing;
    private final int failAttempts;

    public OfflineCatalogAdapter(SearchProperties.Offline settings) {
        this.notFound = lowerCase(settings.notFound());
        this.failing = lowerCase(settings.failing());
        this.failAttempts = settings.failAttempts();
    }

    @Override
    public SearchResult search(SearchTrackInput track) {
        return search(track, 1);
    }

    @Override
    public SearchResult search(SearchTrackInput track, int attempt) {
        String title = track.getTitle().toLowerCase(Locale.ROOT);
        Optional<String> failingPattern = matching(failing, title);
        // The attempt comes from the record's headers, not from memory, so the behaviour survives restarts.
        if (failingPattern.isPresent() && (failAttempts == 0 || attempt <= failAttempts)) {
            throw new RetryableSearchException("offline catalog is configured to fail for titles containing '"
                    + failingPattern.get() + "'");
        }
        if (matching(notFound, title).isPresent()) {
            return SearchResult.notFound();
        }
        return SearchResult.found(videoId(track.getTrackKey()), videoTitle(track));
    }

    /** 11 URL-safe base64 characters of sha256(trackKey): stable for a track, like a real id. */
    static String videoId(String trackKey) {
        byte[] digest = HexFormat.of().parseHex(JobIds.sha256Hex(trackKey));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, VIDEO_ID_LENGTH);
    }

    /** {@code <artists> - <title> (<mix>)}, without the parentheses when there is no mix. */
    static String videoTitle(SearchTrackInput track) {
        String base = String.join(", ", track.getArtists()) + " - " + track.getTitle();
        return track.getMix() == null || track.getMix().isBlank() ? base : base + " (" + track.getMix() + ")";
    }

    private static Optional<String> matching(List<String> patterns, String title) {
        return patterns.stream().filter(title::contains).findFirst();
    }

    private static List<String> lowerCase(List<String> patterns) {
        return patterns.stream().filter(p -> !p.isBlank()).map(p -> p.toLowerCase(Locale.ROOT)).toList();
    }
}
