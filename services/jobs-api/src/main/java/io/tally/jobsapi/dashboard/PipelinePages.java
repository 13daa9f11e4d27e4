package io.tally.jobsapi.dashboard;

import io.tally.jobsapi.pipelines.PipelineResponse;
import io.tally.jobsapi.pipelines.PublishedPipelines;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** The dashboard's pipelines page: each published pipeline at its latest version, with its stage graph. */
@Controller
public class PipelinePages {

    private final PublishedPipelines pipelines;

    public PipelinePages(PublishedPipelines pipelines) {
        this.pipelines = pipelines;
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
}
