package io.tally.api.jobs;

import io.swagger.v3.oas.annotations.Operation;
import io.tally.api.ApiProperties;
import io.tally.api.view.JobView;
import io.tally.events.JobState;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Read endpoints over the job view. Listing pages through the view's in-memory index (see
 * {@link io.tally.api.view.JobIndex}): filters are a walk over small summaries, and only the page's jobs are read.
 */
@RestController
@RequestMapping("/api/jobs")
public class JobsController {

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
        JobView.Listing listing = view.list(status, pipeline, page, size);
        return new JobPage(listing.jobs().stream().map(JobResponse::of).toList(), page, size, listing.total());
    }
}
