package io.tally.playlist;

import io.tally.events.ChartPublished;
import io.tally.events.ChartTrack;
import io.tally.events.TrackResolution;
import io.tally.events.TrackResolved;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Turns a chart and the tracks table into a {@link PlaylistDraft}: every chart track whose latest resolution is FOUND,
 * in chart order. Shared by the stream processor and the on-demand endpoint, so both make the same playlist.
 */
final class PlaylistBuilder {

    private PlaylistBuilder() {
    }

    /**
     * The draft, and how many chart tracks have no {@code TrackResolved} yet (those are counted as skipped in the
     * draft; a caller that can wait for them checks {@link Result#unresolved()}).
     *
     * @param chart  the chart edition
     * @param tracks looks a track key up in the tracks table; null when the track has no row yet
     */
    static Result build(ChartPublished chart, Function<String, TrackResolved> tracks) {
        return build(chart.getSourceKey(), chart.getChartName(), chart.getChartDate(), chart.getTracks(), tracks);
    }

    /** The draft of the chart edition {@code sourceRef} with these tracks; see {@link #build(ChartPublished, Function)}. */
    static Result build(String sourceRef, String chartName, LocalDate chartDate, List<ChartTrack> chartTracks,
                        Function<String, TrackResolved> tracks) {
        List<ChartTrack> ordered = chartTracks.stream().sorted(Comparator.comparingInt(ChartTrack::getPosition)).toList();
        List<PlaylistEntry> entries = new ArrayList<>();
        int unresolved = 0;
        for (ChartTrack track : ordered) {
            TrackResolved resolved = tracks.apply(track.getTrackKey());
            if (resolved == null) {
                unresolved++;
            } else if (resolved.getResolution() == TrackResolution.FOUND && resolved.getVideoId() != null
                    && !resolved.getVideoId().isBlank()) {
                entries.add(new PlaylistEntry(track.getPosition(), track.getArtists(), track.getTitle(), track.getMix(),
                        resolved.getVideoId()));
            }
        }
        PlaylistDraft draft = new PlaylistDraft(sourceRef, chartName, chartDate, entries,
                ordered.size() - entries.size(), ordered.size());
        return new Result(draft, unresolved);
    }

    /**
     * @param draft      the playlist as it can be made now
     * @param unresolved chart tracks with no row in the tracks table yet
     */
    record Result(PlaylistDraft draft, int unresolved) {
    }
}
