package io.tally.api.jobs;

import io.swagger.v3.oas.annotations.Operation;
import io.tally.api.ApiProperties;
import io.tally.api.view.JobView;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Read endpoints over the job view. Known gap: listing filters and sorts the whole view in memory per request; a
 * secondary index (store per status, sorted by creation) would be needed for very large views.
 */
@RestController
@RequestMapping("/api/jobs")
public class JobsController {

    // Newest first: by creation time, or by when the tracker first saw a job still missing its JobCreated.
    private static final Comparator<JobStatus> NEWEST_FIRST = Comparator
            .comparing(JobsController::startedAt, Comparator.reverseOrder())
            .thenComparing(status -> status.getJobId());

    private final JobView view;
    private final ApiProperties properties;

    public JobsController(JobView view, ApiProperties properties) {
        this.view = view;
        this.properties = properties;
    }

    @Operation(summary = "A job with its per-stage status and progress")
    @GetMapping("/{jobId}")
    public JobResponse job(@PathVariable String jobId) {
        return view.job(jobId).map(JobResponse::of)
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "job '" + jobId + "' is not known"));
    }

    @Operation(summary = "Jobs, newest first, optionally filtered by status and pipeline")
    @GetMapping
    public JobPage jobs(@RequestParam(required = false) JobState status,
            @RequestParam(required = false) String pipeline,
            @RequestParam(defaultValue = "0") @Min(0) int page,
            @RequestParam(defaultValue = "20") @Min(1) @Max(200) int size) {
        if (size > properties.maxPageSize()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "size: must be less than or equal to " + properties.maxPageSize());
        }
        List<JobStatus> matching = view.allJobs().stream()
                .filter(job -> status == null || job.getState() == status)
                .filter(job -> pipeline == null || pipeline.equals(job.getPipeline()))
                .sorted(NEWEST_FIRST)
                .toList();
        List<JobResponse> items = matching.stream()
                .skip((long) page * size)
                .limit(size)
                .map(JobResponse::of)
                .toList();
        return new JobPage(items, page, size, matching.size());
    }

    private static Instant startedAt(JobStatus status) {
        return status.getCreatedAt() != null ? status.getCreatedAt() : status.getFirstSeenAt();
    }
}
