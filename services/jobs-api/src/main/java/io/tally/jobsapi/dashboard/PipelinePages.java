package io.tally.jobsapi.dashboard;

import io.tally.jobsapi.pipelines.PipelineResponse;
import io.tally.jobsapi.pipelines.PublishedPipelines;
import io.tally.jobsapi.runs.RunAccepted;
import io.tally.jobsapi.runs.RunTrigger;
import io.tally.pipeline.RunParameters;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.util.UriUtils;

/**
 * The dashboard's pipelines page: each published pipeline at its latest version, with its stage graph and a form that
 * starts a run with parameters (seed 002's "add a source" is a run of media-sources with its url), through the same
 * trigger as {@code POST /api/pipelines/{name}/runs}, with the signed-in caller as who asked.
 */
@Controller
public class PipelinePages {

    /** Form fields of run parameters are named {@code param.<name>}; the CSRF token and others are not parameters. */
    static final String PARAMETER_FIELD = "param.";

    private final PublishedPipelines pipelines;
    private final RunTrigger trigger;

    public PipelinePages(PublishedPipelines pipelines, RunTrigger trigger) {
        this.pipelines = pipelines;
        this.trigger = trigger;
    }

    /** One pipeline on the page: what the API shows of it, and its graph. */
    public record PipelineCard(PipelineResponse pipeline, StageGraph graph) {
    }

    @GetMapping("/ui/pipelines")
    public String pipelines(Model model) {
        List<PipelineCard> cards = pipelines.all().stream()
                .map(published -> new PipelineCard(PipelineResponse.of(published), StageGraph.of(published.definition())))
                .toList();
        model.addAttribute("pipelines", cards);
        model.addAttribute("active", "pipelines");
        return "ui/pipelines";
    }

    /**
     * Starts a run with the form's parameters (a blank field takes the default) and shows its job; a refused
     * parameter comes back to the pipelines page with each problem named.
     */
    @PostMapping("/ui/pipelines/{pipeline}/runs")
    public String run(@PathVariable String pipeline, @RequestParam Map<String, String> form, Principal caller,
            RedirectAttributes flash) {
        Map<String, String> parameters = new TreeMap<>();
        form.forEach((field, value) -> {
            if (field.startsWith(PARAMETER_FIELD) && value != null && !value.isBlank()) {
                parameters.put(field.substring(PARAMETER_FIELD.length()), value.strip());
            }
        });
        String back = "redirect:/ui/pipelines#p-" + UriUtils.encodeFragment(pipeline, StandardCharsets.UTF_8);
        PublishedPipelines.Versions defined = pipelines.latest(pipeline).orElse(null);
        if (defined == null) {
            flash.addFlashAttribute("error", "Pipeline " + pipeline + " has no published definition.");
            return back;
        }
        try {
            RunParameters.resolve(defined.definition(), parameters);
        } catch (RunParameters.InvalidException e) {
            flash.addFlashAttribute("error", "Not started: " + String.join("; ",
                    e.problems().stream().map(RunParameters.Problem::message).toList()));
            return back;
        }
        RunAccepted accepted = trigger.trigger(pipeline, parameters, null, caller.getName());
        flash.addFlashAttribute("message", "Run of " + pipeline + " started: job " + accepted.jobId() + ".");
        return "redirect:/ui/jobs/" + UriUtils.encodePathSegment(accepted.jobId(), StandardCharsets.UTF_8);
    }
}
