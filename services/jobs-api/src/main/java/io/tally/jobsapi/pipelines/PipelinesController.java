package io.tally.jobsapi.pipelines;

import io.swagger.v3.oas.annotations.Operation;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Read endpoints over the published pipeline definitions ({@code tally.pipelines.definitions}, read into the view):
 * the pipelines a client can run.
 */
@RestController
@RequestMapping("/api/pipelines")
public class PipelinesController {

    private final PublishedPipelines pipelines;

    public PipelinesController(PublishedPipelines pipelines) {
        this.pipelines = pipelines;
    }

    @Operation(summary = "Every published pipeline at its latest version, by name, with the versions known")
    @GetMapping
    public List<PipelineResponse> pipelines() {
        return pipelines.all().stream().map(PipelineResponse::of).toList();
    }

    @Operation(summary = "The latest version of a pipeline; 404 when none is published")
    @GetMapping("/{name}")
    public PipelineResponse pipeline(@PathVariable String name) {
        return pipelines.latest(name).map(PipelineResponse::of).orElseThrow(() -> unknown(name));
    }

    @Operation(summary = "One version of a pipeline; 404 when that version of it is not published")
    @GetMapping("/{name}/versions/{version}")
    public PipelineResponse version(@PathVariable String name, @PathVariable int version) {
        return pipelines.version(name, version).map(PipelineResponse::of).orElseThrow(() -> {
            List<Integer> known = pipelines.latest(name).map(PublishedPipelines.Versions::versions).orElse(null);
            return known == null ? unknown(name) : new ResponseStatusException(HttpStatus.NOT_FOUND,
                    "pipeline '" + name + "' has no version " + version + "; published: " + known);
        });
    }

    private static ResponseStatusException unknown(String name) {
        return new ResponseStatusException(HttpStatus.NOT_FOUND, "pipeline '" + name + "' has no published definition");
    }
}
