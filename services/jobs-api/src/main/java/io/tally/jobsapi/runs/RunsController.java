package io.tally.jobsapi.runs;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.tally.jobsapi.ApiProperties;
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

/** {@code POST /api/pipelines/{pipeline}/runs}: asks for a pipeline run and answers where to follow the job. */
@RestController
public class RunsController {

    /** Header a client sets so that retries of one request start one run. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final RunTrigger trigger;
    private final ApiProperties properties;

    public RunsController(RunTrigger trigger, ApiProperties properties) {
        this.trigger = trigger;
        this.properties = properties;
    }

    @Operation(summary = "Trigger a pipeline run; 202 with the job id, the same answer for a repeated Idempotency-Key")
    @PostMapping("/api/pipelines/{pipeline}/runs")
    public ResponseEntity<RunAccepted> run(@PathVariable String pipeline,
            @RequestBody(required = false) @Valid RunRequest request,
            @Parameter(description = "client-chosen key; retries with the same key and body start one run")
            @RequestHeader(name = IDEMPOTENCY_KEY, required = false)
            @Size(min = 1, max = 200) @Pattern(regexp = "[\\x21-\\x7E]+", message = "must be printable ASCII without spaces")
            String idempotencyKey,
            Principal caller) {
        if (!properties.pipelines().contains(pipeline)) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND,
                    "pipeline '" + pipeline + "' is not known; known: " + properties.pipelines());
        }
        RunRequest body = request == null ? new RunRequest(null) : request;
        RunAccepted accepted = trigger.trigger(pipeline, body.sortedParameters(), idempotencyKey,
                caller == null ? null : caller.getName());
        return ResponseEntity.accepted().location(URI.create(accepted.links().get("self"))).body(accepted);
    }
}
