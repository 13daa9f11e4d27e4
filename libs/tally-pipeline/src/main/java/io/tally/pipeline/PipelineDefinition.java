package io.tally.pipeline;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One version of a declared pipeline, as read from {@code pipelines/<name>.yml}: what a job of it runs, in which
 * order, with which parameters. Immutable; a running job keeps the version it started with.
 *
 * @param name        the pipeline's name, lower-case kebab, unique across the pipelines folder
 * @param description one line for people, shown by the API and the dashboard
 * @param version     a positive number; a changed file must carry a higher one
 * @param parameters  typed run parameters, in declaration order
 * @param schedules   cron schedules that trigger runs
 * @param deadline    how long a job may run before it ends TIMED_OUT, or null for the engine's default
 * @param stages      the stage graph, in declaration order
 * @param source      where it was read from, for error messages
 * @param result      the job's result: field name to expression or literal (see {@link Expressions}), evaluated
 *                    when the job ends COMPLETED or COMPLETED_WITH_FAILURES; empty for a pipeline without a result
 * @param cache       the result cache, or null when runs are never reused
 */
public record PipelineDefinition(String name, String description, int version, List<ParameterSpec> parameters,
                                 List<ScheduleSpec> schedules, Duration deadline, List<StageSpec> stages,
                                 SourceText source, Map<String, Object> result, CacheSpec cache) {

    public PipelineDefinition {
        parameters = List.copyOf(parameters);
        schedules = List.copyOf(schedules);
        stages = List.copyOf(stages);
        result = result == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(result));
    }

    /** A definition without a result and without a cache. */
    public PipelineDefinition(String name, String description, int version, List<ParameterSpec> parameters,
                              List<ScheduleSpec> schedules, Duration deadline, List<StageSpec> stages,
                              SourceText source) {
        this(name, description, version, parameters, schedules, deadline, stages, source, Map.of(), null);
    }

    /** The stage with this id. */
    public Optional<StageSpec> stage(String id) {
        return stages.stream().filter(stage -> stage.id().equals(id)).findFirst();
    }

    /** The parameter with this name. */
    public Optional<ParameterSpec> parameter(String name) {
        return parameters.stream().filter(parameter -> parameter.name().equals(name)).findFirst();
    }
}
