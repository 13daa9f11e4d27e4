package io.tally.jobsapi.runs;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.tally.jobsapi.pipelines.PublishedPipelines;
import io.tally.pipeline.RunParameters;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.security.Principal;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code POST /api/pipelines/{pipeline}/runs}: asks for a run of a pipeline with a published definition, checks the
 * parameters against its latest version, and answers where to follow the job. Known gaps: the definitions are read
 * from the view, so while it loads every run answers 503; and a definition published a moment ago is not in this
 * instance's view yet, so a run of it answers 404 until the view has it.
 */
@RestController
public class RunsController {

    /** Header a client sets so that retries of one request start one run. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final RunTrigger trigger;
    private final PublishedPipelines pipelines;

    public RunsController(RunTrigger trigger, PublishedPipelines pipelines) {
        this.trigger = trigger;
        this.pipelines = pipelines;
    }

    @Operation(summary = "Trigger a pipeline run; 202 with the job id, the same answer for a repeated Idempotency-Key",
            description = "Only a pipeline with a published definition can be run (404 problem otherwise; GET"
                    + " /api/pipelines lists them). It takes the parameters its latest version declares: 400 listing"
                    + " each unknown, missing or ill-fitting one in `errors`.")
    @PostMapping("/api/pipelines/{pipeline}/runs")
    public ResponseEntity<RunAccepted> run(@PathVariable String pipeline,
            @RequestBody(required = false) @Valid RunRequest request,
            @Parameter(description = "client-chosen key; retries with the same key and body start one run")
            @RequestHeader(name = IDEMPOTENCY_KEY, required = false)
            @Size(min = 1, max = 200) @Pattern(regexp = "[\\x21-\\x7E]+", message = "must be printable ASCII without spaces")
            String idempotencyKey,
            Principal caller) {
        RunRequest body = request == null ? new RunRequest(null) : request;
        PublishedPipelines.Versions defined = pipelines.latest(pipeline).orElseThrow(() ->
                new ResponseStatusException(HttpStatus.NOT_FOUND, "pipeline '" + pipeline
                        + "' has no published definition, so it cannot be run; GET /api/pipelines lists the ones that can"));
        // Checked here so a client hears at once what is wrong; the engine resolves them again (defaults applied)
        // against the version it starts the job with, which may be newer by then.
        try {
            RunParameters.resolve(defined.definition(), body.sortedParameters());
        } catch (RunParameters.InvalidException e) {
            throw new InvalidParametersException(e);
        }
        RunAccepted accepted = trigger.trigger(pipeline, body.sortedParameters(), idempotencyKey,
                caller == null ? null : caller.getName());
        return ResponseEntity.accepted().location(URI.create(accepted.links().get("self"))).body(accepted);
    }
}
