package io.tally.jobsapi.dashboard;

import io.tally.jobsapi.pipelines.PublishedPipelines;
import io.tally.jobsapi.runs.RunAccepted;
import io.tally.jobsapi.runs.RunTrigger;
import java.security.Principal;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.client.RestClientException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The dashboard's Schedules page: each schedule of the scheduler with its next and last fire time, and "run now",
 * which starts a run of the schedule's pipeline with the schedule's parameters through the API's own
 * {@link RunTrigger} (same path as {@code POST /api/pipelines/{pipeline}/runs}). Parameters are looked up from the
 * scheduler by schedule name, never taken from the browser. Like that endpoint, only a pipeline with a published
 * definition can be run. Known gap: the schedule's parameters are not checked against the definition here (the
 * engine refuses ones that do not fit when it starts the job).
 */
@Controller
@RequestMapping("/ui/schedules")
public class SchedulePages {

    private final SchedulerClient scheduler;
    private final RunTrigger trigger;
    private final PublishedPipelines pipelines;

    public SchedulePages(SchedulerClient scheduler, RunTrigger trigger, PublishedPipelines pipelines) {
        this.scheduler = scheduler;
        this.trigger = trigger;
        this.pipelines = pipelines;
    }

    @GetMapping
    public String schedules(Model model) {
        try {
            model.addAttribute("schedules", scheduler.schedules());
        } catch (RestClientException e) {
            model.addAttribute("schedules", List.of());
            model.addAttribute("error", "The scheduler did not answer: " + e.getMessage());
        }
        model.addAttribute("pipelines", pipelines.all().stream().map(published -> published.definition().name())
                .collect(Collectors.toSet()));
        model.addAttribute("active", "schedules");
        return "ui/schedules";
    }

    @PostMapping("/run")
    public String runNow(@RequestParam String schedule, Principal caller, RedirectAttributes flash) {
        SchedulerClient.Schedule found;
        try {
            found = scheduler.schedules().stream().filter(s -> s.name().equals(schedule)).findFirst().orElse(null);
        } catch (RestClientException e) {
            flash.addFlashAttribute("error", "The scheduler did not answer: " + e.getMessage());
            return "redirect:/ui/schedules";
        }
        if (found == null || pipelines.latest(found.pipeline()).isEmpty()) {
            flash.addFlashAttribute("error", found == null ? "Unknown schedule '" + schedule + "'."
                    : "Pipeline '" + found.pipeline() + "' has no published definition, so it cannot be run.");
            return "redirect:/ui/schedules";
        }
        RunAccepted accepted = trigger.trigger(found.pipeline(),
                new TreeMap<>(found.parameters() == null ? java.util.Map.of() : found.parameters()), null,
                caller.getName());
        // Back to the list, not to the job: the new job reaches the view only once the pipeline has created it.
        flash.addFlashAttribute("message", "Started job " + accepted.jobId() + " from schedule " + schedule + ".");
        flash.addFlashAttribute("startedJob", accepted.jobId());
        return "redirect:/ui/schedules";
    }
}
