package io.tally.jobsapi.pipelines;

import io.tally.common.pipelines.PublishedDefinitions;
import io.tally.events.PipelineDefinitionPublished;
import io.tally.jobsapi.view.JobView;
import io.tally.pipeline.PipelineDefinition;
import io.tally.pipeline.PipelineDefinitionException;
import io.tally.pipeline.PipelineLoader;
import io.tally.pipeline.SourceText;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The pipeline definitions published to {@code tally.pipelines.definitions}, as this instance's view holds them,
 * parsed once per version (cached by content hash). Publishers validate before they publish, so a version that does
 * not parse here was written by another Tally release that reads files differently: it is logged and left out rather
 * than failing every pipeline read. Known gap: the cache keeps every version ever read for the life of the process
 * (a few KB each).
 */
@Component
public class PublishedPipelines {

    private static final Logger LOG = LoggerFactory.getLogger(PublishedPipelines.class);

    private final JobView view;
    private final Map<String, Parsed> parsed = new ConcurrentHashMap<>();

    public PublishedPipelines(JobView view) {
        this.view = view;
    }

    /** One pipeline: the definition asked for and every version published of its name, ascending. */
    public record Versions(PipelineDefinition definition, List<Integer> versions) {
    }

    /** The latest version of every published pipeline, by name. */
    public List<Versions> all() {
        Map<String, TreeMap<Integer, PipelineDefinition>> byName = new TreeMap<>();
        for (PipelineDefinition definition : parse(view.definitions(null))) {
            byName.computeIfAbsent(definition.name(), name -> new TreeMap<>()).put(definition.version(), definition);
        }
        List<Versions> all = new ArrayList<>();
        byName.values().forEach(versions -> all.add(new Versions(versions.lastEntry().getValue(),
                List.copyOf(versions.keySet()))));
        return all;
    }

    /** The highest published version of {@code name}, or empty when none is published. */
    public Optional<Versions> latest(String name) {
        return select(name, versions -> versions.get(versions.size() - 1));
    }

    /** Exactly version {@code version} of {@code name}, or empty when it is not published. */
    public Optional<Versions> version(String name, int version) {
        return select(name, versions -> versions.stream().filter(definition -> definition.version() == version)
                .findFirst().orElse(null));
    }

    private Optional<Versions> select(String name, Function<List<PipelineDefinition>, PipelineDefinition> choose) {
        List<PipelineDefinition> versions = parse(view.definitions(name)).stream()
                .filter(definition -> definition.name().equals(name))
                .sorted(Comparator.comparingInt(PipelineDefinition::version)).toList();
        if (versions.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(choose.apply(versions)).map(chosen -> new Versions(chosen,
                versions.stream().map(PipelineDefinition::version).toList()));
    }

    private List<PipelineDefinition> parse(List<PipelineDefinitionPublished> published) {
        Map<String, PipelineDefinition> definitions = new LinkedHashMap<>();
        for (PipelineDefinitionPublished record : published) {
            String key = PublishedDefinitions.key(record.getName(), record.getVersion());
            Parsed cached = parsed.get(key);
            if (cached == null || !cached.sha256().equals(record.getSha256())) {
                cached = new Parsed(record.getSha256(), load(record));
                parsed.put(key, cached);
            }
            if (cached.definition() != null) {
                definitions.put(key, cached.definition());
            }
        }
        return List.copyOf(definitions.values());
    }

    private static PipelineDefinition load(PipelineDefinitionPublished record) {
        try {
            return PipelineLoader.load(new SourceText(record.getFile(), record.getYaml()));
        } catch (PipelineDefinitionException e) {
            LOG.warn("Published definition {}@{} (from {}) does not parse here and is left out: {}", record.getName(),
                    record.getVersion(), record.getFile(), e.getMessage());
            return null;
        }
    }

    /** A parsed version, or a null definition for one that does not parse (so it is not re-parsed on every read). */
    private record Parsed(String sha256, PipelineDefinition definition) {
    }
}
