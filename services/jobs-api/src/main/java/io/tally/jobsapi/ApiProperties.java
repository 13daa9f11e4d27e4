package io.tally.jobsapi;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.util.unit.DataSize;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * What the jobs API offers, bound from {@code tally.api.*} (security settings are in
 * {@link io.tally.common.security.ApiSecurityProperties}).
 *
 * @param maxPageSize         largest {@code size} accepted by {@code GET /api/jobs}
 * @param idempotencyWait     how long a request waits for a concurrent request with the same Idempotency-Key on this
 *                            instance to finish producing before it answers 503
 * @param pendingKeyRetention how long a key this instance used is remembered in memory when the view never shows it
 *                            (normally it is dropped as soon as the view has it)
 * @param adminTimeout        timeout of each Kafka admin call behind {@code /api/admin/stats} and of the offset
 *                            look-ups of dead-letter listing, redrive and replay
 * @param replayTimeout       how long one dead-letter listing, redrive or replay may take to read its records before
 *                            it answers 503 (nothing is written then: the transaction is aborted)
 * @param maxRequestBody      largest request body accepted; a larger one answers 413 before it is read
 * @param downstreamHealthTtl how long the {@code downstreamWorkers} health answer (consumer and share groups on each
 *                            task topic a published pipeline uses), and the worker group membership of the workers
 *                            view, are reused before the broker is asked again
 */
@Validated
@ConfigurationProperties("tally.api")
public record ApiProperties(
        @Min(1) @DefaultValue("200") int maxPageSize,
        @NotNull @DefaultValue("PT10S") Duration idempotencyWait,
        @NotNull @DefaultValue("PT10M") Duration pendingKeyRetention,
        @NotNull @DefaultValue("PT10S") Duration adminTimeout,
        @NotNull @DefaultValue("PT30S") Duration replayTimeout,
        @NotNull @DefaultValue("64KB") DataSize maxRequestBody,
        @NotNull @DefaultValue("PT5S") Duration downstreamHealthTtl) {
}
