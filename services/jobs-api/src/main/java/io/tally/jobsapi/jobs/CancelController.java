package io.tally.jobsapi.jobs;

import io.swagger.v3.oas.annotations.Operation;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import java.security.Principal;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /api/jobs/{jobId}/cancel}: asks the engine to cancel a running job (see {@link JobCancellation}). */
@RestController
public class CancelController {

    private final JobCancellation cancellation;

    public CancelController(JobCancellation cancellation) {
        this.cancellation = cancellation;
    }

    /**
     * Body of a cancel request; the whole body is optional.
     *
     * @param reason why, shown with the job once it is cancelled
     */
    public record CancelRequest(@Size(max = 500) String reason) {
    }

    /** The answer: which job was asked to cancel, and where to follow it. */
    public record CancelAccepted(String jobId, Map<String, String> links) {
    }

    @Operation(summary = "Ask to cancel a running job; 202 with the job id",
            description = "Writes a JobCancelRequested keyed by job id to tally.jobs.cancel-requests; the engine ends"
                    + " the job CANCELLED and tells workers to stop. 404 for a job the view does not know, 409 for one"
                    + " that has already ended.")
    @PostMapping("/api/jobs/{jobId}/cancel")
    public ResponseEntity<CancelAccepted> cancel(@PathVariable String jobId,
            @RequestBody(required = false) @Valid CancelRequest request, Principal caller) {
        cancellation.cancel(jobId, request == null ? null : request.reason(), caller == null ? null : caller.getName(),
                "api");
        String self = JobResponse.selfLink(jobId);
        return ResponseEntity.accepted().body(new CancelAccepted(jobId, Map.of("self", self)));
    }
}
