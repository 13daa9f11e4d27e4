package io.tally.jobsapi.pipelines;

import io.tally.pipeline.ParameterSpec;
import io.tally.pipeline.ParameterType;
import io.tally.pipeline.PipelineDefinition;
import io.tally.pipeline.ScheduleSpec;
import io.tally.pipeline.StageSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One version of a pipeline definition as the API shows it (docs/pipelines.md has what each field means), with the
 * versions published of its name. Stage inputs and fan-out expressions are left out: they are the engine's business,
 * and the definition file has them.
 *
 * @param versions every published version of this pipeline, ascending
 */
public record PipelineResponse(String name, String description, int version, List<Integer> versions,
        Duration deadline, List<Parameter> parameters, List<Schedule> schedules, List<Stage> stages) {

    /** A run parameter; {@code defaultValue} is null exactly when the parameter is required. */
    public record Parameter(String name, ParameterType type, String defaultValue, boolean required,
            List<String> allowed, String pattern, String description) {

        static Parameter of(ParameterSpec spec) {
            return new Parameter(spec.name(), spec.type(), spec.defaultValue(), spec.required(), spec.allowed(),
                    spec.pattern(), spec.description());
        }
    }

    /** A cron schedule that triggers runs. */
    public record Schedule(String name, String cron, String zone, boolean enabled, String missedRuns,
            Map<String, String> parameters) {

        static Schedule of(ScheduleSpec spec) {
            return new Schedule(spec.name(), spec.cron(), spec.zone().getId(), spec.enabled(),
                    spec.missedRuns().name(), spec.parameters());
        }
    }

    /**
     * A stage of the graph; {@code forEach} says whether it fans out (one task per element of a list), {@code timeout}
     * is null for the engine's default.
     */
    public record Stage(String id, String task, List<String> dependsOn, boolean forEach, Duration timeout,
            int retryAttempts, String onFailure) {

        static Stage of(StageSpec spec) {
            return new Stage(spec.id(), spec.task(), spec.dependsOn(), spec.fansOut(), spec.timeout(),
                    spec.retry().attempts(), spec.onFailure().name());
        }
    }

    /** The API view of {@code definition}. */
    public static PipelineResponse of(PipelineDefinition definition, List<Integer> versions) {
        return new PipelineResponse(definition.name(), definition.description(), definition.version(), versions,
                definition.deadline(), definition.parameters().stream().map(Parameter::of).toList(),
                definition.schedules().stream().map(Schedule::of).toList(),
                definition.stages().stream().map(Stage::of).toList());
    }

    /** The API view of one published version. */
    public static PipelineResponse of(PublishedPipelines.Versions pipeline) {
        return of(pipeline.definition(), pipeline.versions());
    }
}
