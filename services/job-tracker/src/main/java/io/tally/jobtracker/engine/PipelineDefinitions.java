package io.tally.jobtracker.engine;

import io.tally.pipeline.PipelineDefinition;
import java.util.Optional;

/** The pipeline definitions the engine can run, by name and version. */
public interface PipelineDefinitions {

    /** The highest version of {@code name}, or empty if there is no definition of it. */
    Optional<PipelineDefinition> latest(String name);

    /** Exactly version {@code version} of {@code name}. */
    Optional<PipelineDefinition> version(String name, int version);
}
