package io.tally.chartscraper.source;

/** The chart source could not be reached or refused for now (timeouts, 403, 429, 5xx): worth retrying. */
public class ChartUnavailableException extends RuntimeException {

    public ChartUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
