package io.tally.jobsapi.dashboard;

import io.tally.events.StageState;
import io.tally.jobsapi.jobs.JobResponse;
import io.tally.pipeline.PipelineDefinition;
import io.tally.pipeline.StageSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A pipeline's stages in layers for the dashboard: a stage sits one layer after the deepest stage it depends on, so
 * every dependsOn edge points from an earlier layer to a later one and the layers read left to right in run order.
 * The templates draw it as an ordered list of columns (HTML and CSS, no script); each node names the stages it
 * comes after, so the edges are readable without the picture. With a job, each node has the job's stage state and
 * counts. Known gap: edges are not drawn as lines; a wide graph scrolls sideways.
 */
public record StageGraph(List<List<Node>> layers) {

    /**
     * One stage.
     *
     * @param state the job's state of it, or null in a graph without a job
     * @param total how many tasks it has in all (fan-out elements), or null while unknown
     */
    public record Node(String id, String task, List<String> dependsOn, boolean forEach, StageState state, long done,
            Long total) {
    }

    /** The definition's graph, with no job. */
    public static StageGraph of(PipelineDefinition definition) {
        return of(definition, null);
    }

    /**
     * The definition's graph with the states of {@code stages} (a job's, by stage id); a stage the job has not
     * reported is PENDING with nothing done.
     */
    public static StageGraph of(PipelineDefinition definition, List<JobResponse.Stage> stages) {
        Map<String, JobResponse.Stage> byId = new HashMap<>();
        if (stages != null) {
            stages.forEach(stage -> byId.put(stage.name(), stage));
        }
        Map<String, Integer> depth = new HashMap<>();
        List<List<Node>> layers = new ArrayList<>();
        for (StageSpec stage : definition.stages()) {
            int layer = depth(stage, definition, depth);
            while (layers.size() <= layer) {
                layers.add(new ArrayList<>());
            }
            JobResponse.Stage reported = byId.get(stage.id());
            StageState state = stages == null ? null : reported == null ? StageState.PENDING : reported.status();
            layers.get(layer).add(new Node(stage.id(), stage.task(), stage.dependsOn(), stage.fansOut(), state,
                    reported == null ? 0 : reported.done(), reported == null ? null : reported.total()));
        }
        return new StageGraph(layers.stream().map(List::copyOf).toList());
    }

    // The loader refuses cycles and unknown ids, so this recursion ends and every dependency is found.
    private static int depth(StageSpec stage, PipelineDefinition definition, Map<String, Integer> memo) {
        Integer known = memo.get(stage.id());
        if (known != null) {
            return known;
        }
        int depth = 0;
        for (String dependency : stage.dependsOn()) {
            depth = Math.max(depth, 1 + definition.stage(dependency).map(spec -> depth(spec, definition, memo)).orElse(0));
        }
        memo.put(stage.id(), depth);
        return depth;
    }
}
