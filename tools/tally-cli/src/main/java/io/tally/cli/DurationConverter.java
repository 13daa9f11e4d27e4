package io.tally.cli;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.springframework.boot.convert.DurationStyle;
import picocli.CommandLine;

/** Reads durations as Spring Boot does ({@code 120s}, {@code 500ms}, {@code 2m}, {@code PT2M}); a bare number is seconds. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        try {
            return DurationStyle.detectAndParse(value.strip(), ChronoUnit.SECONDS);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a duration; use e.g. 120s, 500ms, 2m or PT2M");
        }
    }
}
