package io.tally.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The pipelines of one folder ({@code pipelines/}): every {@code *.yml} and {@code *.yaml} file directly in it, each
 * a pipeline with a name no other file uses. Loading is all or nothing: one bad file fails the catalogue with every
 * problem of every file. Sub-folders are not read.
 */
public final class PipelineCatalog {

    private final Map<String, PipelineDefinition> pipelines;

    private PipelineCatalog(Map<String, PipelineDefinition> pipelines) {
        this.pipelines = pipelines;
    }

    /**
     * Reads every pipeline file of {@code folder}, in file name order.
     *
     * @throws PipelineDefinitionException with the problems of all files, and one per name that two files declare
     * @throws UncheckedIOException        when the folder or a file cannot be read
     */
    public static PipelineCatalog load(Path folder) {
        List<Path> files;
        try (Stream<Path> listing = Files.list(folder)) {
            files = listing.filter(Files::isRegularFile)
                    .filter(file -> file.getFileName().toString().matches(".*\\.ya?ml"))
                    .sorted(Comparator.comparing(file -> file.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list pipelines in " + folder, e);
        }
        Map<String, PipelineDefinition> pipelines = new LinkedHashMap<>();
        List<DefinitionProblem> problems = new ArrayList<>();
        for (Path file : files) {
            try {
                PipelineDefinition definition = PipelineLoader.load(file);
                PipelineDefinition earlier = pipelines.putIfAbsent(definition.name(), definition);
                if (earlier != null) {
                    problems.add(new DefinitionProblem(file.toString(), nameLine(definition), "pipeline '"
                            + definition.name() + "' is also declared in " + earlier.source().file()));
                }
            } catch (PipelineDefinitionException e) {
                problems.addAll(e.problems());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        if (!problems.isEmpty()) {
            throw new PipelineDefinitionException(problems);
        }
        return new PipelineCatalog(pipelines);
    }

    /** The pipeline with this name. */
    public Optional<PipelineDefinition> find(String name) {
        return Optional.ofNullable(pipelines.get(name));
    }

    /** Every pipeline, by file name. */
    public List<PipelineDefinition> all() {
        return List.copyOf(pipelines.values());
    }

    /** The line of the top-level {@code name:} key, found in the text (the model does not keep lines). */
    private static int nameLine(PipelineDefinition definition) {
        String[] lines = definition.source().text().split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("name:")) {
                return i + 1;
            }
        }
        return 0;
    }
}
