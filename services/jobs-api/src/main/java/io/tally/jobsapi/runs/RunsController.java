package io.tally.jobsapi.runs;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.tally.jobsapi.ApiProperties;
import io.tally.jobsapi.pipelines.PublishedPipelines;
import io.tally.pipeline.RunParameters;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.security.Principal;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code POST /api/pipelines/{pipeline}/runs}: asks for a pipeline run and answers where to follow the job. Known gap:
 * checking parameters against a published definition reads the view, so while it loads every run answers 503, also
 * runs of pipelines that have no definition.
 */
@RestController
public class RunsController {

    /** Header a client sets so that retries of one request start one run. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final RunTrigger trigger;
    private final ApiProperties properties;
    private final PublishedPipelines pipelines;

    public RunsController(RunTrigger trigger, ApiProperties properties, PublishedPipelines pipelines) {
        this.trigger = trigger;
        this.properties = properties;
        this.pipelines = pipelines;
    }

    @Operation(summary = "Trigger a pipeline run; 202 with the job id, the same answer for a repeated Idempotency-Key",
            description = "A pipeline with a published definition takes the parameters its latest version declares"
                    + " (400 listing each bad one in `errors`); one without a definition must be configured under"
                    + " tally.api.pipelines (404 otherwise) and takes any parameters.")
    @PostMapping("/api/pipelines/{pipeline}/runs")
    public ResponseEntity<RunAccepted> run(@PathVariable String pipeline,
            @RequestBody(required = false) @Valid RunRequest request,
            @Parameter(description = "client-chosen key; retries with the same key and body start one run")
            @RequestHeader(name = IDEMPOTENCY_KEY, required = false)
            @Size(min = 1, max = 200) @Pattern(regexp = "[\\x21-\\x7E]+", message = "must be printable ASCII without spaces")
            String idempotencyKey,
            Principal caller) {
        RunRequest body = request == null ? new RunRequest(null) : request;
        Optional<PublishedPipelines.Versions> defined = pipelines.latest(pipeline);
        if (defined.isPresent()) {
            // Checked here so a client hears at once what is wrong; the engine resolves them again (defaults
            // applied) against the version it starts the job with, which may be newer by then.
            try {
                RunParameters.resolve(defined.get().definition(), body.sortedParameters());
            } catch (RunParameters.InvalidException e) {
                throw new InvalidParametersException(e);
            }
        } else if (!properties.pipelines().contains(pipeline)) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND,
                    "pipeline '" + pipeline + "' is not known; known: " + known());
        }
        RunAccepted accepted = trigger.trigger(pipeline, body.sortedParameters(), idempotencyKey,
                caller == null ? null : caller.getName());
        return ResponseEntity.accepted().location(URI.create(accepted.links().get("self"))).body(accepted);
    }

    /** The configured pipelines and the published ones, for the 404's detail. */
    private Set<String> known() {
        Set<String> known = new TreeSet<>(properties.pipelines());
        pipelines.all().forEach(published -> known.add(published.definition().name()));
        return known;
    }
}
