package io.tally.jobtracker.engine;

import io.tally.common.pipelines.PublishedDefinitions;
import io.tally.events.PipelineDefinitionPublished;
import io.tally.pipeline.PipelineDefinition;
import io.tally.pipeline.PipelineLoader;
import io.tally.pipeline.SourceText;
import java.util.HashMap;
import java.util.Map;
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
    private final Map<String, Parsed> parsed = new HashMap<>();

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
        String key = PublishedDefinitions.key(published.getName(), published.getVersion());
        Parsed cached = parsed.get(key);
        if (cached == null || !cached.sha256().equals(published.getSha256())) {
            cached = new Parsed(published.getSha256(), PipelineLoader.load(new SourceText(published.getFile(), published.getYaml())));
            parsed.put(key, cached);
        }
        return cached.definition();
    }

    private record Parsed(String sha256, PipelineDefinition definition) {
    }
}
