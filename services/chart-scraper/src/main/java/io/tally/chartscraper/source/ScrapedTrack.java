package io.tally.chartscraper.source;

import java.util.List;

/**
 * One chart entry as a source read it, before keys are derived.
 *
 * @param position      position in the chart, from 1
 * @param artists       artist names as listed
 * @param title         title without the mix
 * @param mix           mix name, or null
 * @param label         label, or null
 * @param genre         genre, or null
 * @param bpm           tempo, or null
 * @param sourceTrackId the source's own track id, or null
 */
public record ScrapedTrack(int position, List<String> artists, String title, String mix, String label, String genre,
                           Integer bpm, String sourceTrackId) {
}
