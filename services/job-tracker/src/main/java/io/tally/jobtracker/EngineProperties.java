package io.tally.jobtracker;

import io.tally.jobtracker.engine.EngineSettings;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The pipeline engine's limits, bound from {@code tally.engine.*}. A plain record: the topology takes it as an argument.
 *
 * @param resultInlineLimit the largest job result (JSON) carried inline on {@code JobStatus} and {@code JobCompleted};
 *                          a bigger one goes to the artifact store as {@code results/<jobId>.json} and the events carry
 *                          its reference. Keep it well under the topics' maximum record size (1 MiB by default): the
 *                          status also carries the stages and parameters
 */
@Validated
@ConfigurationProperties("tally.engine")
public record EngineProperties(@NotNull @DefaultValue("256KB") DataSize resultInlineLimit) {

    /** The defaults, for code that does not go through Spring. */
    public static EngineProperties defaults() {
        return new EngineProperties(DataSize.ofBytes(EngineSettings.DEFAULT_RESULT_INLINE_LIMIT));
    }

    public EngineProperties {
        if (resultInlineLimit != null && resultInlineLimit.toBytes() < 1) {
            throw new IllegalArgumentException("tally.engine.result-inline-limit must be at least 1 byte, not "
                    + resultInlineLimit);
        }
    }
}
