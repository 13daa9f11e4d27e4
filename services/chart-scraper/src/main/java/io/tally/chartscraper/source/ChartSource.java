package io.tally.chartscraper.source;

/**
 * Adapter to a chart provider. Implementations throw {@link ChartUnavailableException} for failures worth retrying
 * and {@link ChartFormatException} (a poison-record failure) for answers that retrying cannot fix.
 */
public interface ChartSource {

    /** Short name for metrics and logs, such as {@code sample} or {@code beatport}. */
    String name();

    /** Fetches the chart. */
    FetchedChart fetch(ChartRequest request);
}
