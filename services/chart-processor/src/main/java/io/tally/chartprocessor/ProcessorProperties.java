package io.tally.chartprocessor;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the chart processor remembers requested tracks. A plain record: the topology takes it as an argument, Spring
 * only binds it from {@code tally.processor.*}.
 *
 * @param requestedTtl   how long a requested but unresolved track is not asked for again; after that a new chart
 *                       requests it once more (covers searches that were lost or never answered)
 * @param expiryInterval how often (wall clock) the requested-tracks store is swept for entries older than
 *                       {@code requestedTtl}; a chart arriving in between already treats old entries as expired
 */
@Validated
@ConfigurationProperties("tally.processor")
public record ProcessorProperties(
        @NotNull @DefaultValue("P1D") Duration requestedTtl,
        @NotNull @DefaultValue("PT1M") Duration expiryInterval) {

    /** The defaults, for code that does not go through Spring. */
    public static ProcessorProperties defaults() {
        return new ProcessorProperties(Duration.ofDays(1), Duration.ofMinutes(1));
    }
}
