package io.tally.celebrity.source;

/**
 * What one source said about one celebrity: the popularity figure and the text sentiment is read from.
 *
 * @param celebrity the roster entry
 * @param metric    the source's popularity figure (TMDB popularity in thousandths, page views, articles, mentions)
 * @param text      biography, extract, headlines or posts, joined by newlines
 */
public record SourceEntry(Celebrity celebrity, long metric, String text) {
}
