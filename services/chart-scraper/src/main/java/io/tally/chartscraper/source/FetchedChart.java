package io.tally.chartscraper.source;

import java.time.LocalDate;
import java.util.List;

/**
 * A chart as a source returned it.
 *
 * @param tracks    entries in chart order
 * @param chartDate the edition date if the source knows it (the sample does; the live page does not), else null
 * @param sourceUrl where it was read from, or null for the offline sample
 * @param genreSlug the genre of a genre chart, or null for the overall chart
 */
public record FetchedChart(List<ScrapedTrack> tracks, LocalDate chartDate, String sourceUrl, String genreSlug) {
}
