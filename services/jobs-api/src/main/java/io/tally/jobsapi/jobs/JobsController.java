package io.tally.jobsapi.jobs;

import io.swagger.v3.oas.annotations.Operation;
import io.tally.jobsapi.ApiProperties;
import io.tally.jobsapi.view.JobView;
import io.swagger.v3.oas.annotations.Parameter;
import io.tally.events.ItemOutcome;
import io.tally.events.JobState;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Read endpoints over the job view. Listing pages through the view's in-memory index (see
 * {@link io.tally.jobsapi.view.JobIndex}): filters are a walk over small summaries, and only the page's jobs are read.
 * A job's items are a prefix scan of the view's item store, filtered as it goes.
 */
@RestController
@RequestMapping("/api/jobs")
public class JobsController {

    private final JobView view;
    private final ApiProperties properties;
    private final JobResults results;

    public JobsController(JobView view, ApiProperties properties, JobResults results) {
        this.view = view;
        this.properties = properties;
        this.results = results;
    }

    @Operation(summary = "A job with its per-stage status and progress, and its result once it has one",
            description = "QUEUED from the moment a run is accepted until the engine starts it. A result kept by"
                    + " reference is read from the artifact store; when it cannot be, `result` is absent and"
                    + " `resultError` says why.")
    @GetMapping("/{jobId}")
    public JobResponse job(@PathVariable String jobId) {
        return view.job(jobId).map(status -> results.resolve(status,
                        JobResponse.of(status, view.endReason(jobId).orElse(null))))
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "job '" + jobId + "' is not known"));
    }

    @Operation(summary = "The items of a job with the outcome of their latest attempt, in item id order, optionally "
            + "filtered by outcome and by text in the item id or error",
            description = "Answers 404 when the job is not in the view. Paging is bounded by tally.api.max-page-size.")
    @GetMapping("/{jobId}/items")
    public ItemPage items(@PathVariable String jobId,
            @Parameter(description = "only items whose latest attempt ended so")
            @RequestParam(required = false) ItemOutcome outcome,
            @Parameter(description = "only items whose id or error contains this text, ignoring case")
            @RequestParam(required = false) @Size(max = 200) String q,
            @RequestParam(defaultValue = "0") @Min(0) int page,
            @RequestParam(defaultValue = "20") @Min(1) @Max(200) int size) {
        checkPageSize(size);
        job(jobId);
        JobView.ItemListing listing = view.items(jobId, outcome, q, page, size);
        return new ItemPage(jobId, listing.items().stream().map(ItemResponse::of).toList(), page, size, listing.total());
    }

    @Operation(summary = "Jobs, newest first, optionally filtered by status and pipeline")
    @GetMapping
    public JobPage jobs(@RequestParam(required = false) JobState status,
            @RequestParam(required = false) String pipeline,
            @RequestParam(defaultValue = "0") @Min(0) int page,
            @RequestParam(defaultValue = "20") @Min(1) @Max(200) int size) {
        checkPageSize(size);
        JobView.Listing listing = view.list(status, pipeline, page, size);
        return new JobPage(listing.jobs().stream().map(JobResponse::of).toList(), page, size, listing.total());
    }

    private void checkPageSize(int size) {
        if (size > properties.maxPageSize()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "size: must be less than or equal to " + properties.maxPageSize());
        }
    }
}
