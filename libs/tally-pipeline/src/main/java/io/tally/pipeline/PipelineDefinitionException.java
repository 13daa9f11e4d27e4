package io.tally.pipeline;

import java.util.List;
import java.util.stream.Collectors;

/** A pipeline definition (or a folder of them) that cannot be used, with every problem found, not just the first. */
public class PipelineDefinitionException extends RuntimeException {

    private final transient List<DefinitionProblem> problems;

    public PipelineDefinitionException(List<DefinitionProblem> problems) {
        super(problems.stream().map(DefinitionProblem::toString)
                .collect(Collectors.joining("\n", "invalid pipeline definition:\n", "")));
        this.problems = List.copyOf(problems);
    }

    /** The problems, in file and line order. */
    public List<DefinitionProblem> problems() {
        return problems;
    }
}
