package io.tally.playlist;

import java.time.LocalDate;
import java.util.List;

/**
 * Everything an adapter needs to make the playlist of one chart edition. Adapters must be idempotent per
 * {@link #sourceRef()}: making the same draft twice gives the same playlist (see README, "effectively once").
 *
 * @param sourceRef    chart edition (the key of the charts table); at most one playlist exists per sourceRef
 * @param chartName    human-readable chart name
 * @param chartDate    date of the chart edition
 * @param entries      tracks with a video, in chart order
 * @param skippedCount chart tracks left out because no video was resolved (NOT_FOUND, FAILED or never resolved)
 * @param chartSize    tracks in the chart
 */
public record PlaylistDraft(String sourceRef, String chartName, LocalDate chartDate, List<PlaylistEntry> entries,
                            int skippedCount, int chartSize) {

    /** Prefix of the line in the playlist description that says which chart edition the playlist is for. */
    public static final String MARKER_PREFIX = "tally:source=";

    public PlaylistDraft {
        entries = List.copyOf(entries);
    }

    /** "Beatport Top 100 — 2024-08-12". */
    public String title() {
        return chartName + " — " + chartDate;
    }

    /** The line that marks a playlist as this chart's, so an adapter can find its own earlier playlist. */
    public String marker() {
        return MARKER_PREFIX + sourceRef;
    }

    /** A description for people, with the marker on its own last line. */
    public String description() {
        return "All tracks of " + title() + " that have a video, in chart order. Made by Tally.\n" + marker();
    }
}
