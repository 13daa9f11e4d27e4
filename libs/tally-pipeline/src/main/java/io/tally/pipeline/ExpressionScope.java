package io.tally.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a stage's input expressions can see in one job: its parameters (typed, see {@link RunParameters#typed}),
 * the outputs of stages that ended, and in a fan-out stage the current element. Immutable; the {@code with} methods
 * return a new scope.
 *
 * @param jobId          {@code ${job.id}}
 * @param pipeline       {@code ${job.pipeline}}
 * @param params         {@code ${params.X}}, by parameter name
 * @param outputs        {@code ${stages.ID.output}}, the output of each single-task stage that has one
 * @param elementOutputs {@code ${stages.ID.outputs}}, for each fan-out stage its elements' outputs in fan-out order;
 *                       which elements a failed or skipped one leaves out is the engine's decision
 * @param elementName    the current element's name ({@code item} unless the fan-out says {@code as}), or null
 * @param element        the current element, or null outside a fan-out
 */
public record ExpressionScope(String jobId, String pipeline, Map<String, JsonNode> params,
                              Map<String, JsonNode> outputs, Map<String, List<JsonNode>> elementOutputs,
                              String elementName, JsonNode element) {

    public ExpressionScope {
        params = Map.copyOf(params);
        outputs = Map.copyOf(outputs);
        elementOutputs = Map.copyOf(elementOutputs);
    }

    /** A job's scope before any stage has output. */
    public static ExpressionScope forJob(String jobId, String pipeline, Map<String, JsonNode> params) {
        return new ExpressionScope(jobId, pipeline, params, Map.of(), Map.of(), null, null);
    }

    /** This scope with a single-task stage's output. */
    public ExpressionScope withOutput(String stage, JsonNode output) {
        Map<String, JsonNode> all = new HashMap<>(outputs);
        all.put(stage, output);
        return new ExpressionScope(jobId, pipeline, params, all, elementOutputs, elementName, element);
    }

    /** This scope with a fan-out stage's element outputs. */
    public ExpressionScope withElementOutputs(String stage, List<JsonNode> stageOutputs) {
        Map<String, List<JsonNode>> all = new HashMap<>(elementOutputs);
        all.put(stage, List.copyOf(stageOutputs));
        return new ExpressionScope(jobId, pipeline, params, outputs, all, elementName, element);
    }

    /** This scope inside a fan-out, at one element. */
    public ExpressionScope withElement(String name, JsonNode current) {
        return new ExpressionScope(jobId, pipeline, params, outputs, elementOutputs, name, current);
    }
}
