package io.tally.jobsapi.runs;

import io.swagger.v3.oas.annotations.Operation;
import io.tally.jobsapi.pipelines.PublishedPipelines;
import io.tally.jobsapi.view.JobView;
import io.tally.events.JobStatus;
import io.tally.pipeline.RunParameters;
import java.net.URI;
import java.security.Principal;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code POST /api/jobs/{jobId}/rerun}: triggers the job's pipeline again as a new job (new trigger id, new job id),
 * with the parameters the engine stored in the job's status (defaults applied), checked against the pipeline's latest
 * definition. Known gap: a job with no stored parameters (created by a {@code JobCreated}, not started by the engine)
 * cannot be rerun; what it ran with is not known, so the caller has to trigger a run with explicit parameters.
 */
@RestController
public class RerunController {

    private static final Logger AUDIT = LoggerFactory.getLogger("io.tally.jobsapi.audit");

    private final JobView view;
    private final RunTrigger trigger;
    private final PublishedPipelines pipelines;

    public RerunController(JobView view, RunTrigger trigger, PublishedPipelines pipelines) {
        this.view = view;
        this.trigger = trigger;
        this.pipelines = pipelines;
    }

    @Operation(summary = "Run a job's pipeline again as a new job with the parameters the job stored; 202 like a run",
            description = "409 problem when the job stored no parameters (it was not started by the pipeline engine),"
                    + " when its pipeline has no published definition any more, or when the latest version refuses"
                    + " the stored parameters; trigger POST /api/pipelines/{pipeline}/runs with explicit parameters"
                    + " instead.")
    @PostMapping("/api/jobs/{jobId}/rerun")
    public ResponseEntity<RunAccepted> rerun(@PathVariable String jobId, Principal caller) {
        JobStatus job = view.job(jobId)
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "job '" + jobId + "' is not known"));
        Map<String, String> parameters = storedParameters(job);
        // No Idempotency-Key: a rerun is meant to be a new job each time it is asked for.
        RunAccepted accepted = trigger.trigger(job.getPipeline(), parameters, null, caller.getName());
        AUDIT.info("caller={} action=rerun jobId={} newJobId={} parameters={}", caller.getName(), jobId,
                accepted.jobId(), parameters);
        return ResponseEntity.accepted().location(URI.create(accepted.links().get("self"))).body(accepted);
    }

    /** The parameters the job ran with, if it stored them and the pipeline's latest definition still takes them. */
    private Map<String, String> storedParameters(JobStatus job) {
        String runs = "POST /api/pipelines/" + (job.getPipeline() == null ? "{pipeline}" : job.getPipeline()) + "/runs";
        if (job.getParameters() == null) {
            // Guessing them (from the source, say) could run another chart or date than the job did.
            throw new ResponseStatusException(HttpStatus.CONFLICT, "job '" + job.getJobId() + "' stored no run "
                    + "parameters (it was not started by the pipeline engine), so it cannot be rerun; trigger " + runs
                    + " with explicit parameters instead");
        }
        Map<String, String> parameters = new TreeMap<>(job.getParameters());
        PublishedPipelines.Versions defined = pipelines.latest(job.getPipeline()).orElseThrow(() ->
                new ResponseStatusException(HttpStatus.CONFLICT, "pipeline '" + job.getPipeline()
                        + "' of job '" + job.getJobId() + "' has no published definition any more"));
        try {
            RunParameters.resolve(defined.definition(), parameters);
        } catch (RunParameters.InvalidException e) {
            throw new ResponseStatusException(HttpStatus.CONFLICT, "job '" + job.getJobId() + "' ran with "
                    + parameters + ", which the latest version (" + defined.definition().version() + ") refuses: "
                    + e.getMessage() + "; trigger " + runs + " instead");
        }
        return parameters;
    }
}
