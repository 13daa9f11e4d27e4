package io.tally.pipeline;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One stage of a pipeline: a task of one type, run once, or once per element of a list (a fan-out).
 *
 * @param id        unique within the pipeline; expressions refer to its output as {@code ${stages.<id>.output}}
 * @param task      the task type, which names the task topic {@code tally.tasks.<task>} and its input and output schemas
 * @param dependsOn ids of the stages that must have ended before this one starts; empty for a first stage
 * @param input     the task input: field name to expression or literal (see {@link Expressions})
 * @param forEach   the fan-out over a list, or null for a single task
 * @param timeout   how long one attempt may take before it counts as failed, or null for the engine's default
 * @param retry     how failed attempts are retried
 * @param onFailure what a failed stage does to the job
 * @param detail    text shown with the stage's status once its task succeeded (a link, a count), built from
 *                  expressions that may read the stage's own output; null for none. Single-task stages only
 */
public record StageSpec(String id, String task, List<String> dependsOn, Map<String, Object> input, FanOut forEach,
                        Duration timeout, RetryPolicy retry, OnFailure onFailure, String detail) {

    public StageSpec {
        dependsOn = List.copyOf(dependsOn);
        input = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(input));
    }

    /** Whether this stage runs one task per element of a list. */
    public boolean fansOut() {
        return forEach != null;
    }
}
