package io.tally.jobsapi.jobs;

import io.tally.common.jobs.JobStates;
import io.tally.common.topics.Topics;
import io.tally.events.JobCancelRequested;
import io.tally.events.JobStatus;
import io.tally.jobsapi.view.JobView;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Service;
import org.springframework.web.server.ResponseStatusException;

/**
 * Asks the engine to cancel a job: one {@code JobCancelRequested} keyed by job id on
 * {@code tally.jobs.cancel-requests}, for the API and the dashboard alike, audit-logged. Only a job the view knows and
 * that has not ended is asked for; the engine acts on the first request for a running job and ignores the rest, so a
 * repeated request is harmless. Known gap: the view lags the tracker by the poll interval, so a job that ended a
 * moment ago may still be asked for (the engine then ignores it).
 */
@Service
public class JobCancellation {

    private static final Logger AUDIT = LoggerFactory.getLogger("io.tally.jobsapi.audit");

    private final JobView view;
    private final KafkaTemplate<String, Object> kafka;
    private final Clock clock = Clock.systemUTC();

    public JobCancellation(JobView view, KafkaTemplate<String, Object> kafka) {
        this.view = view;
        this.kafka = kafka;
    }

    /**
     * Writes the cancel request of {@code jobId}.
     *
     * @param reason      why, shown with the job once cancelled, or null
     * @param requestedBy the caller's name, or null when unknown
     * @throws ResponseStatusException 404 for a job the view does not know, 409 for one that has ended or that the
     *                                 engine does not run
     */
    public JobCancelRequested cancel(String jobId, String reason, String requestedBy, String via) {
        JobStatus job = view.job(jobId).orElseThrow(() ->
                new ResponseStatusException(HttpStatus.NOT_FOUND, "job '" + jobId + "' is not known"));
        if (JobStates.isEnded(job.getState())) {
            throw new ResponseStatusException(HttpStatus.CONFLICT,
                    "job '" + jobId + "' has already ended " + job.getState() + "; only a running job can be cancelled");
        }
        if (job.getPipelineVersion() == null) {
            // Only the engine acts on cancel requests; it would ignore this one, and the caller would wait for nothing.
            throw new ResponseStatusException(HttpStatus.CONFLICT, "job '" + jobId + "' is not run by the pipeline "
                    + "engine (it has no pipeline definition version), so it cannot be cancelled");
        }
        Instant now = clock.instant();
        JobCancelRequested request = JobCancelRequested.newBuilder().setJobId(jobId).setRequestedBy(requestedBy)
                .setReason(reason == null || reason.isBlank() ? null : reason.strip()).setRequestedAt(now).build();
        // The API's producer is transactional (trigger and idempotency key go together), so every send is in one.
        kafka.executeInTransaction(operations -> operations.send(Topics.JOB_CANCEL_REQUESTS.name(), jobId, request));
        AUDIT.info("caller={} action=jobs.cancel job={} state={} via={}", requestedBy, jobId, job.getState(), via);
        return request;
    }
}
