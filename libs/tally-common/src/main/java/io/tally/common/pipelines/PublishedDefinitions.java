package io.tally.common.pipelines;

import io.tally.common.jobs.JobIds;
import io.tally.events.PipelineDefinitionPublished;
import io.tally.pipeline.PipelineDefinition;
import java.time.Instant;
import java.util.Collection;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The records of the compacted definitions topic ({@code tally.pipelines.definitions}): one per pipeline version,
 * keyed {@code <name>@<version>}. One reading of that key and record for the publisher, the engine and the API.
 */
public final class PublishedDefinitions {

    private PublishedDefinitions() {
    }

    /** The key of one version in the definitions topic and in every store filled from it. */
    public static String key(String name, int version) {
        return versionsOf(name) + version;
    }

    /** The prefix of every version's key of pipeline {@code name}; '@' cannot appear in a name, so it is exact. */
    public static String versionsOf(String name) {
        return name + "@";
    }

    /** The record of one definition version: its exact YAML text and that text's SHA-256. */
    public static PipelineDefinitionPublished of(PipelineDefinition definition, Instant at) {
        String yaml = definition.source().text();
        return PipelineDefinitionPublished.newBuilder().setName(definition.name()).setVersion(definition.version())
                .setYaml(yaml).setSha256(JobIds.sha256Hex(yaml)).setFile(definition.source().file()).setPublishedAt(at)
                .build();
    }

    /**
     * {@code versions} grouped by pipeline name (in name order), each pipeline's by version number: the last entry of
     * a pipeline's map is its latest version.
     */
    public static <T> SortedMap<String, TreeMap<Integer, T>> byNameAndVersion(Collection<T> versions,
                                                                           Function<T, PipelineDefinition> definition) {
        SortedMap<String, TreeMap<Integer, T>> byName = new TreeMap<>();
        for (T version : versions) {
            PipelineDefinition parsed = definition.apply(version);
            byName.computeIfAbsent(parsed.name(), name -> new TreeMap<>()).put(parsed.version(), version);
        }
        return byName;
    }
}
