package io.tally.chartscraper.source;

import io.tally.common.errors.PoisonRecordException;

/**
 * The source answered, but not with a chart (no {@code __NEXT_DATA__}, no results, a 404 genre): retrying the same
 * trigger cannot help, so it goes to the dead-letter topic at once with this message as the reason.
 */
public class ChartFormatException extends PoisonRecordException {

    public ChartFormatException(String message) {
        super(message);
    }
}
