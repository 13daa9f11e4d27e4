package io.tally.jobsapi.runs;

import java.util.Map;

/**
 * Answer to an accepted run request; the same for every retry with the same Idempotency-Key.
 *
 * @param jobId     id of the job the run becomes
 * @param triggerId id of the emitted {@code PipelineTriggered}
 * @param links     {@code self}: where to follow the job
 */
public record RunAccepted(String jobId, String triggerId, Map<String, String> links) {
}
