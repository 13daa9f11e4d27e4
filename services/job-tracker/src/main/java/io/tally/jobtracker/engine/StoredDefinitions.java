package io.tally.jobtracker.engine;

import io.tally.common.pipelines.ParsedDefinitions;
import io.tally.common.pipelines.PublishedDefinitions;
import io.tally.events.PipelineDefinitionPublished;
import io.tally.pipeline.PipelineDefinition;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The definitions in the engine's global store ({@code <name>@<version>} → published YAML), parsed once per version
 * and stream task. Publishers validate before they publish, so a definition that no longer parses here means a newer
 * Tally reads an older file differently: that fails loudly instead of running the job on a guess.
 */
public final class StoredDefinitions implements PipelineDefinitions {

    private final ReadOnlyKeyValueStore<String, PipelineDefinitionPublished> store;
    private final ParsedDefinitions parsed = new ParsedDefinitions();

    public StoredDefinitions(ReadOnlyKeyValueStore<String, PipelineDefinitionPublished> store) {
        this.store = store;
    }

    @Override
    public Optional<PipelineDefinition> latest(String name) {
        PipelineDefinitionPublished latest = null;
        try (KeyValueIterator<String, PipelineDefinitionPublished> versions =
                     store.prefixScan(PublishedDefinitions.versionsOf(name), Serdes.String().serializer())) {
            while (versions.hasNext()) {
                KeyValue<String, PipelineDefinitionPublished> next = versions.next();
                if (next.value != null && (latest == null || next.value.getVersion() > latest.getVersion())) {
                    latest = next.value;
                }
            }
        }
        return Optional.ofNullable(latest).map(this::parse);
    }

    @Override
    public Optional<PipelineDefinition> version(String name, int version) {
        return Optional.ofNullable(store.get(PublishedDefinitions.key(name, version))).map(this::parse);
    }

    private PipelineDefinition parse(PipelineDefinitionPublished published) {
        return parsed.parse(published);
    }
}
