package io.tally.jobsapi.dashboard;

import io.tally.jobsapi.view.JobView;
import io.tally.jobsapi.workers.WorkerGroups;
import io.tally.jobsapi.workers.WorkersController;
import java.time.Clock;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The dashboard's Workers page: every worker instance of the workers view with a status badge (LOST rows
 * highlighted), its task types, current task, counts, heartbeat age and partitions, and a line saying how fresh the
 * view is. Known gap: no forget button; an ADMIN forgets an instance with {@code DELETE /api/workers/{id}}.
 */
@Controller
public class WorkerPages {

    private final JobView view;
    private final WorkerGroups groups;

    public WorkerPages(JobView view, WorkerGroups groups) {
        this.view = view;
        this.groups = groups;
    }

    @GetMapping("/ui/workers")
    public String workers(Model model) {
        model.addAttribute("view", WorkersController.list(view, groups, Clock.systemUTC()));
        model.addAttribute("active", "workers");
        return "ui/workers";
    }
}
