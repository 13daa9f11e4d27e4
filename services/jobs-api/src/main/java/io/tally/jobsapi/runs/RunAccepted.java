package io.tally.jobsapi.runs;

import java.util.Map;

/**
 * Answer to an accepted run request; the same for every retry with the same Idempotency-Key.
 *
 * @param jobId     id of the job the run becomes
 * @param triggerId id of the emitted {@code PipelineTriggered}
 * @param status    always {@code queued}: the run is accepted and the job is visible as QUEUED until the engine
 *                  starts it; {@code GET links.self} tells where it is now
 * @param links     {@code self}: where to follow the job
 */
public record RunAccepted(String jobId, String triggerId, String status, Map<String, String> links) {

    /** The status of every accepted run. */
    public static final String QUEUED = "queued";
}
