package io.tally.jobsapi.runs;

import io.swagger.v3.oas.annotations.Operation;
import io.tally.jobsapi.ApiProperties;
import io.tally.jobsapi.pipelines.PublishedPipelines;
import io.tally.jobsapi.view.JobView;
import io.tally.events.JobStatus;
import io.tally.pipeline.RunParameters;
import java.net.URI;
import java.security.Principal;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code POST /api/jobs/{jobId}/rerun}: triggers the job's pipeline again as a new job (new trigger id, new job id).
 * A job the engine ran reruns with the parameters it stored (defaults applied), checked against the pipeline's latest
 * definition. Known gap: a job created by a {@code JobCreated} (the pipelines configured under
 * {@code tally.api.pipelines}) stored none, so its parameters are derived from its source, and only the Beatport
 * Top 100 ({@code beatport/<yyyy>/<MM>/<dd>/top100} → {@code date}) gives any; genre charts answer 409 (their source
 * key lacks the genre id), and sources of other pipelines rerun without parameters.
 */
@RestController
public class RerunController {

    private static final Logger AUDIT = LoggerFactory.getLogger("io.tally.jobsapi.audit");
    private static final Pattern BEATPORT_CHART = Pattern.compile("beatport/(\\d{4})/(\\d{2})/(\\d{2})/top100");

    private final JobView view;
    private final RunTrigger trigger;
    private final ApiProperties properties;
    private final PublishedPipelines pipelines;

    public RerunController(JobView view, RunTrigger trigger, ApiProperties properties, PublishedPipelines pipelines) {
        this.view = view;
        this.trigger = trigger;
        this.properties = properties;
        this.pipelines = pipelines;
    }

    @Operation(summary = "Run a job's pipeline again as a new job with the job's parameters; 202 like a run")
    @PostMapping("/api/jobs/{jobId}/rerun")
    public ResponseEntity<RunAccepted> rerun(@PathVariable String jobId, Principal caller) {
        JobStatus job = view.job(jobId)
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "job '" + jobId + "' is not known"));
        Map<String, String> parameters = job.getParameters() != null ? storedParameters(job) : derivedParameters(job);
        // No Idempotency-Key: a rerun is meant to be a new job each time it is asked for.
        RunAccepted accepted = trigger.trigger(job.getPipeline(), parameters, null, caller.getName());
        AUDIT.info("caller={} action=rerun jobId={} newJobId={} parameters={}", caller.getName(), jobId,
                accepted.jobId(), parameters);
        return ResponseEntity.accepted().location(URI.create(accepted.links().get("self"))).body(accepted);
    }

    /** The parameters an engine job ran with, if the pipeline's latest definition still takes them. */
    private Map<String, String> storedParameters(JobStatus job) {
        Map<String, String> parameters = new TreeMap<>(job.getParameters());
        PublishedPipelines.Versions defined = pipelines.latest(job.getPipeline()).orElseThrow(() ->
                new ResponseStatusException(HttpStatus.CONFLICT, "pipeline '" + job.getPipeline()
                        + "' of job '" + job.getJobId() + "' has no published definition any more"));
        try {
            RunParameters.resolve(defined.definition(), parameters);
        } catch (RunParameters.InvalidException e) {
            throw new ResponseStatusException(HttpStatus.CONFLICT, "job '" + job.getJobId() + "' ran with "
                    + parameters + ", which the latest version (" + defined.definition().version() + ") refuses: "
                    + e.getMessage() + "; trigger POST /api/pipelines/" + job.getPipeline() + "/runs instead");
        }
        return parameters;
    }

    /** The parameters of a job created by a {@code JobCreated}, derived from its source where that can be done. */
    private Map<String, String> derivedParameters(JobStatus job) {
        String jobId = job.getJobId();
        if (job.getPipeline() == null || !properties.pipelines().contains(job.getPipeline())) {
            throw new ResponseStatusException(HttpStatus.CONFLICT, "job '" + jobId + "' has pipeline '"
                    + job.getPipeline() + "', which cannot be triggered; known: " + properties.pipelines());
        }
        String source = job.getSourceRef();
        if (source != null && source.startsWith("beatport/") && !BEATPORT_CHART.matcher(source).matches()) {
            // A genre chart's trigger needs the genre's slug and id, which its source key does not hold; rerunning
            // without them would scrape the main Top 100 instead.
            throw new ResponseStatusException(HttpStatus.CONFLICT, "cannot derive run parameters from source '" + source
                    + "'; trigger POST /api/pipelines/" + job.getPipeline() + "/runs with explicit parameters");
        }
        return parametersOf(source);
    }

    /** Run parameters that reproduce a source: {@code beatport/2024/08/12/top100} → {@code date=2024-08-12}. */
    static Map<String, String> parametersOf(String sourceRef) {
        Map<String, String> parameters = new TreeMap<>();
        Matcher chart = sourceRef == null ? null : BEATPORT_CHART.matcher(sourceRef);
        if (chart != null && chart.matches()) {
            parameters.put("date", chart.group(1) + "-" + chart.group(2) + "-" + chart.group(3));
        }
        return parameters;
    }
}
