package io.tally.chartprocessor;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the chart processor remembers requested tracks, and how its {@code pick-new-tracks} task waits for a decision.
 * A plain record: the topology takes it as an argument, Spring only binds it from {@code tally.processor.*}.
 *
 * @param requestedTtl   how long a requested but unresolved track is not asked for again; after that a new chart
 *                       requests it once more (covers searches that were lost or never answered)
 * @param expiryInterval how often (wall clock) the requested-tracks store is swept for entries older than
 *                       {@code requestedTtl}; a chart arriving in between already treats old entries as expired
 * @param pick           the {@code pick-new-tracks} task's wait for the job's chart to be processed
 */
@Validated
@ConfigurationProperties("tally.processor")
public record ProcessorProperties(
        @NotNull @DefaultValue("P1D") Duration requestedTtl,
        @NotNull @DefaultValue("PT1M") Duration expiryInterval,
        @Valid @NotNull @DefaultValue Pick pick) {

    @ConstructorBinding
    public ProcessorProperties {
        pick = pick != null ? pick : Pick.DEFAULTS;
    }

    /** The settings before the pick task existed, with its defaults. */
    public ProcessorProperties(Duration requestedTtl, Duration expiryInterval) {
        this(requestedTtl, expiryInterval, Pick.DEFAULTS);
    }

    /** The defaults, for code that does not go through Spring. */
    public static ProcessorProperties defaults() {
        return new ProcessorProperties(Duration.ofDays(1), Duration.ofMinutes(1));
    }

    /**
     * How one delivery of a {@code pick-new-tracks} task waits for the processor's decision on the job's chart, which
     * the scrape stage published just before: it looks in the picks store every {@code pollInterval} for up to
     * {@code patience}, then fails so the worker SDK retries the delivery.
     *
     * @param patience     how long one delivery waits for the decision
     * @param pollInterval how often it looks
     */
    public record Pick(
            @NotNull @DefaultValue("PT10S") Duration patience,
            @NotNull @DefaultValue("PT0.1S") Duration pollInterval) {

        static final Pick DEFAULTS = new Pick(Duration.ofSeconds(10), Duration.ofMillis(100));
    }
}
