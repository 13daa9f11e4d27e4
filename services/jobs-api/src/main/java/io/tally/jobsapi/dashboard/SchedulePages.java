package io.tally.jobsapi.dashboard;

import io.tally.common.security.ApiSecurityProperties;
import io.tally.jobsapi.pipelines.PublishedPipelines;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.client.RestClientException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The dashboard's Schedules page: each schedule of the scheduler with its origin, state, next and last fire time and
 * who last changed it, and buttons to enable, disable, run now and (for ADMIN) delete it. Every action goes to the
 * scheduler through {@link SchedulerClient} with the signed-in caller's key, so the scheduler checks the role and
 * records the caller; the page asks before a run or a delete (confirm.js) and shows the scheduler's answer, or its
 * problem detail, as a flash message. Run now is offered only for a pipeline with a published definition. Known gap:
 * configured schedules ({@code tally.scheduler.schedules}) are listed without buttons; they change only with the
 * configuration.
 */
@Controller
@RequestMapping("/ui/schedules")
public class SchedulePages {

    private static final Logger AUDIT = LoggerFactory.getLogger("io.tally.jobsapi.audit");
    private static final String ADMIN = "ROLE_" + ApiSecurityProperties.Role.ADMIN.name();
    private static final String BACK = "redirect:/ui/schedules";

    private final SchedulerClient scheduler;
    private final PublishedPipelines pipelines;

    public SchedulePages(SchedulerClient scheduler, PublishedPipelines pipelines) {
        this.scheduler = scheduler;
        this.pipelines = pipelines;
    }

    @GetMapping
    public String schedules(Model model, Authentication caller) {
        try {
            model.addAttribute("schedules", scheduler.schedules());
        } catch (RestClientException e) {
            model.addAttribute("schedules", List.of());
            model.addAttribute("error", "The scheduler did not answer: " + e.getMessage());
        }
        model.addAttribute("pipelines", pipelines.all().stream().map(published -> published.definition().name())
                .collect(Collectors.toSet()));
        model.addAttribute("admin", isAdmin(caller));
        model.addAttribute("active", "schedules");
        return "ui/schedules";
    }

    @PostMapping("/enable")
    public String enable(@RequestParam String schedule, Authentication caller, RedirectAttributes flash) {
        return act("enable", schedule, caller, flash, () -> {
            SchedulerClient.Schedule enabled = scheduler.enable(schedule, caller);
            return "Enabled schedule " + schedule + (enabled != null && enabled.nextFireTime() != null
                    ? "; it fires next at " + enabled.nextFireTime() + "." : ".");
        });
    }

    @PostMapping("/disable")
    public String disable(@RequestParam String schedule, Authentication caller, RedirectAttributes flash) {
        return act("disable", schedule, caller, flash, () -> {
            scheduler.disable(schedule, caller);
            return "Disabled schedule " + schedule + "; it fires no more until it is enabled.";
        });
    }

    @PostMapping("/delete")
    public String delete(@RequestParam String schedule, Authentication caller, RedirectAttributes flash) {
        if (!isAdmin(caller)) {
            flash.addFlashAttribute("error", "Deleting a schedule needs the ADMIN role.");
            return BACK;
        }
        return act("delete", schedule, caller, flash, () -> {
            scheduler.delete(schedule, caller);
            return "Deleted schedule " + schedule + ".";
        });
    }

    @PostMapping("/run")
    public String runNow(@RequestParam String schedule, Authentication caller, RedirectAttributes flash) {
        return act("run", schedule, caller, flash, () -> {
            SchedulerClient.RunStarted started = scheduler.run(schedule, caller);
            // Back to the list, not to the job: the new job reaches the view only once the pipeline has created it.
            flash.addFlashAttribute("startedJob", started.jobId());
            return "Started job " + started.jobId() + " from schedule " + schedule + ".";
        });
    }

    /** One action: the scheduler's answer as the flash message, or its refusal as the flash error. */
    private static String act(String action, String schedule, Authentication caller, RedirectAttributes flash,
            java.util.function.Supplier<String> call) {
        try {
            String message = call.get();
            AUDIT.info("caller={} action=schedules.{} schedule={} via=ui", caller.getName(), action, schedule);
            flash.addFlashAttribute("message", message);
        } catch (SchedulerClient.SchedulerRefused e) {
            flash.addFlashAttribute("error", "The scheduler refused to " + action + " " + schedule + " ("
                    + e.status() + "): " + e.getMessage());
        } catch (RestClientException e) {
            flash.addFlashAttribute("error", "The scheduler did not answer: " + e.getMessage());
        }
        return BACK;
    }

    private static boolean isAdmin(Authentication caller) {
        return caller != null && caller.getAuthorities().stream().anyMatch(role -> ADMIN.equals(role.getAuthority()));
    }
}
