package io.tally.jobsapi.pipelines;

import io.tally.common.pipelines.ParsedDefinitions;
import io.tally.common.pipelines.PublishedDefinitions;
import io.tally.events.PipelineDefinitionPublished;
import io.tally.jobsapi.view.JobView;
import io.tally.pipeline.PipelineDefinition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The pipeline definitions published to {@code tally.pipelines.definitions}, as this instance's view holds them,
 * parsed once per version ({@link ParsedDefinitions}). Publishers validate before they publish, so a version that does
 * not parse here was written by another Tally release that reads files differently: it is logged once and left out
 * rather than failing every pipeline read.
 */
@Component
public class PublishedPipelines {

    private static final Logger LOG = LoggerFactory.getLogger(PublishedPipelines.class);

    private final JobView view;
    private final ParsedDefinitions parsed = new ParsedDefinitions();

    public PublishedPipelines(JobView view) {
        this.view = view;
    }

    /** One pipeline: the definition asked for and every version published of its name, ascending. */
    public record Versions(PipelineDefinition definition, List<Integer> versions) {
    }

    /** The latest version of every published pipeline, by name. */
    public List<Versions> all() {
        List<Versions> all = new ArrayList<>();
        PublishedDefinitions.byNameAndVersion(parse(view.definitions(null)), Function.identity()).values()
                .forEach(versions -> all.add(new Versions(versions.lastEntry().getValue(),
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
        List<PipelineDefinition> definitions = new ArrayList<>();
        for (PipelineDefinitionPublished record : published) {
            parsed.parseOrSkip(record, problem -> LOG.warn("Published definition {}@{} (from {}) does not parse here "
                    + "and is left out: {}", record.getName(), record.getVersion(), record.getFile(), problem.getMessage()))
                    .ifPresent(definitions::add);
        }
        return List.copyOf(definitions);
    }
}
