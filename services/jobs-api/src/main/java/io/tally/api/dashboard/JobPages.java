package io.tally.api.dashboard;

import io.tally.api.jobs.JobResponse;
import io.tally.api.view.JobIndex;
import io.tally.api.view.JobView;
import io.tally.events.JobState;
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
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The dashboard's overview, job list and job detail pages (server-rendered Thymeleaf), plus the job detail's live feed:
 * server-sent events, and a JSON snapshot the page polls when EventSource is unavailable. Known gap: the job detail
 * shows stages and counts, not individual items: the view holds job statuses only (see the README).
 */
@Controller
@RequestMapping("/ui")
public class JobPages {

    /** Jobs per page of the list. */
    static final int PAGE_SIZE = 25;

    private final JobView view;
    private final JobEvents events;
    private final Clock clock = Clock.systemUTC();

    public JobPages(JobView view, JobEvents events) {
        this.view = view;
        this.events = events;
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
    public String job(@PathVariable String jobId, Model model) {
        JobResponse job = find(jobId);
        model.addAttribute("job", job);
        model.addAttribute("updatedAtIso", job.updatedAt() == null ? "" : job.updatedAt().toString());
        model.addAttribute("active", "jobs");
        return "ui/job";
    }

    @GetMapping(path = "/jobs/{jobId}/progress", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    public JobResponse progress(@PathVariable String jobId) {
        return find(jobId);
    }

    @GetMapping(path = "/jobs/{jobId}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @ResponseBody
    public SseEmitter live(@PathVariable String jobId) {
        return events.subscribe(jobId, () -> view.job(jobId).map(JobResponse::of).orElse(null));
    }

    private JobResponse find(String jobId) {
        return view.job(jobId).map(JobResponse::of)
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "job '" + jobId + "' is not known"));
    }
}
