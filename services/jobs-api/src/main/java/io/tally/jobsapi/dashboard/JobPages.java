package io.tally.jobsapi.dashboard;

import io.tally.common.jobs.JobStates;
import io.tally.jobsapi.jobs.ItemPage;
import io.tally.jobsapi.jobs.JobCancellation;
import io.tally.jobsapi.jobs.ItemResponse;
import io.tally.jobsapi.jobs.JobResponse;
import io.tally.jobsapi.jobs.JobResults;
import io.tally.jobsapi.pipelines.PublishedPipelines;
import io.tally.jobsapi.view.JobIndex;
import io.tally.jobsapi.view.JobView;
import io.tally.events.ItemOutcome;
import io.tally.events.JobState;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Clock;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.util.UriUtils;

/**
 * The dashboard's overview, job list and job detail pages (server-rendered Thymeleaf), plus the job detail's live feed:
 * server-sent events, and a JSON snapshot the page polls when EventSource is unavailable. The job detail also lists
 * the job's items (latest attempt each), filtered server-side by a plain GET form; the page's script re-reads the
 * same filtered page as JSON when the job changes. A job the engine runs shows its stages as the graph of the
 * definition version it started with, and a running job has a Cancel button. Known gap: the item search is a substring match over one job's
 * items per request (see {@link JobView#items}).
 */
@Controller
@RequestMapping("/ui")
public class JobPages {

    /** Jobs per page of the list. */
    static final int PAGE_SIZE = 25;
    /** Items per page of the job detail. */
    static final int ITEM_PAGE_SIZE = 50;
    /** Longest item search text accepted; a longer one is cut (it could not match a sensible id or error anyway). */
    static final int MAX_ITEM_QUERY = 200;

    private final JobView view;
    private final JobEvents events;
    private final PublishedPipelines pipelines;
    private final JobCancellation cancellation;
    private final JobResults results;
    private final Clock clock = Clock.systemUTC();

    public JobPages(JobView view, JobEvents events, PublishedPipelines pipelines, JobCancellation cancellation,
            JobResults results) {
        this.results = results;
        this.view = view;
        this.events = events;
        this.pipelines = pipelines;
        this.cancellation = cancellation;
    }

    @GetMapping
    public String overview(Model model) {
        List<JobIndex.Summary> jobs = view.summaries();
        Map<JobState, Long> byState = new EnumMap<>(JobState.class);
        for (JobState state : JobState.values()) {
            byState.put(state, 0L);
        }
        jobs.forEach(job -> byState.merge(job.state(), 1L, Long::sum));
        model.addAttribute("byState", byState);
        model.addAttribute("total", jobs.size());
        model.addAttribute("charts", OverviewCharts.of(jobs, clock.instant()));
        model.addAttribute("active", "overview");
        return "ui/overview";
    }

    /** The sign-in form; Spring Security handles its POST (see the security configuration). */
    @GetMapping("/login")
    public String login() {
        return "ui/login";
    }

    @GetMapping("/jobs")
    public String jobs(@RequestParam(required = false) JobState status,
            @RequestParam(required = false) String pipeline,
            @RequestParam(defaultValue = "0") int page, Model model) {
        int current = Math.max(0, page);
        String pipelineFilter = pipeline == null || pipeline.isBlank() ? null : pipeline.strip();
        JobView.Listing listing = view.list(status, pipelineFilter, current, PAGE_SIZE);
        long pages = Math.max(1, (listing.total() + PAGE_SIZE - 1) / PAGE_SIZE);
        model.addAttribute("jobs", listing.jobs().stream().map(JobResponse::of).toList());
        model.addAttribute("total", listing.total());
        model.addAttribute("page", current);
        model.addAttribute("pages", pages);
        model.addAttribute("status", status);
        model.addAttribute("pipeline", pipelineFilter);
        model.addAttribute("states", JobState.values());
        model.addAttribute("active", "jobs");
        return "ui/jobs";
    }

    @GetMapping("/jobs/{jobId}")
    public String job(@PathVariable String jobId, @RequestParam(required = false) ItemOutcome outcome,
            @RequestParam(required = false) String q, @RequestParam(defaultValue = "0") int page, Model model) {
        JobResponse job = withResult(jobId);
        String query = itemQuery(q);
        int current = Math.max(0, page);
        ItemPage items = itemPage(jobId, outcome, query, current);
        model.addAttribute("job", job);
        model.addAttribute("items", items);
        model.addAttribute("itemPages", Math.max(1, (items.total() + ITEM_PAGE_SIZE - 1) / ITEM_PAGE_SIZE));
        model.addAttribute("itemOutcome", outcome);
        model.addAttribute("itemQuery", query);
        model.addAttribute("outcomes", ItemOutcome.values());
        model.addAttribute("updatedAtIso", job.updatedAt() == null ? "" : job.updatedAt().toString());
        model.addAttribute("ended", JobStates.isEnded(job.status()));
        model.addAttribute("graph", graph(job));
        model.addAttribute("resultView", ResultView.of(job.result(), job.resultError()));
        model.addAttribute("active", "jobs");
        return "ui/job";
    }

    /** The job page's result section alone, which the page loads when the job ends while it is open. */
    @GetMapping(path = "/jobs/{jobId}/result", produces = MediaType.TEXT_HTML_VALUE)
    public String result(@PathVariable String jobId, Model model) {
        JobResponse job = withResult(jobId);
        model.addAttribute("job", job);
        model.addAttribute("ended", JobStates.isEnded(job.status()));
        model.addAttribute("resultView", ResultView.of(job.result(), job.resultError()));
        return "ui/result :: result";
    }

    private JobResponse withResult(String jobId) {
        return view.job(jobId).map(status -> results.resolve(status,
                JobResponse.of(status, view.endReason(jobId).orElse(null)))).orElseThrow(() -> unknown(jobId));
    }

    /** Asks to cancel the job (the page's Cancel button, behind a confirmation), then shows the job again. */
    @PostMapping("/jobs/{jobId}/cancel")
    public String cancel(@PathVariable String jobId, @RequestParam(required = false) String reason, Principal caller,
            RedirectAttributes flash) {
        try {
            cancellation.cancel(jobId, reason, caller.getName(), "ui");
            flash.addFlashAttribute("message", "Cancel requested; the job ends CANCELLED once the engine has it.");
        } catch (ResponseStatusException e) {
            flash.addFlashAttribute("error", e.getReason());
        }
        return "redirect:/ui/jobs/" + UriUtils.encodePathSegment(jobId, StandardCharsets.UTF_8);
    }

    /** The job's stage graph from the definition version it runs on, or null for a job without one. */
    private StageGraph graph(JobResponse job) {
        if (job.pipelineVersion() == null || job.pipeline() == null) {
            return null;
        }
        return pipelines.version(job.pipeline(), job.pipelineVersion())
                .map(published -> StageGraph.of(published.definition(), job.stages())).orElse(null);
    }

    @GetMapping(path = "/jobs/{jobId}/progress", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    public JobResponse progress(@PathVariable String jobId) {
        return find(jobId);
    }

    /** The items page the job detail shows for these filters, as JSON, for the page's live refresh. */
    @GetMapping(path = "/jobs/{jobId}/items", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    public ItemPage items(@PathVariable String jobId, @RequestParam(required = false) ItemOutcome outcome,
            @RequestParam(required = false) String q, @RequestParam(defaultValue = "0") int page) {
        find(jobId);
        return itemPage(jobId, outcome, itemQuery(q), Math.max(0, page));
    }

    @GetMapping(path = "/jobs/{jobId}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @ResponseBody
    public SseEmitter live(@PathVariable String jobId) {
        return events.subscribe(jobId, () -> view.job(jobId).map(JobResponse::of).orElse(null));
    }

    private ItemPage itemPage(String jobId, ItemOutcome outcome, String query, int page) {
        JobView.ItemListing listing = view.items(jobId, outcome, query, page, ITEM_PAGE_SIZE);
        return new ItemPage(jobId, listing.items().stream().map(ItemResponse::of).toList(), page, ITEM_PAGE_SIZE,
                listing.total());
    }

    private static String itemQuery(String q) {
        if (q == null || q.isBlank()) {
            return null;
        }
        String query = q.strip();
        return query.length() > MAX_ITEM_QUERY ? query.substring(0, MAX_ITEM_QUERY) : query;
    }

    private JobResponse find(String jobId) {
        return view.job(jobId).map(JobResponse::of).orElseThrow(() -> unknown(jobId));
    }

    private static ResponseStatusException unknown(String jobId) {
        return new ResponseStatusException(HttpStatus.NOT_FOUND, "job '" + jobId + "' is not known");
    }
}
