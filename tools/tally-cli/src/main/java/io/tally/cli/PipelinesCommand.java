package io.tally.cli;

import io.tally.pipeline.DefinitionProblem;
import io.tally.pipeline.PipelineDefinition;
import io.tally.pipeline.PipelineDefinitionException;
import io.tally.pipeline.PipelineLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tally pipelines validate FILE...}: reads pipeline definitions (docs/pipelines.md) the way the engine will and
 * lists every problem as {@code file:line: message}, without a broker. Each file is checked on its own: two files
 * that declare the same pipeline name are only refused by a folder's catalogue (the repository's test).
 */
@Command(name = "pipelines", mixinStandardHelpOptions = true,
        description = "Works with pipeline definitions (pipelines/<name>.yml).",
        subcommands = PipelinesCommand.Validate.class)
public class PipelinesCommand implements Runnable {

    @Spec
    CommandSpec spec;

    /** Without a subcommand there is nothing to do, so show what there is. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code tally pipelines validate FILE...}. */
    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Checks pipeline files: prints 'ok' with the name, version and stage count of each valid file,"
                    + " and each problem of the others as file:line: message. Exit code 0 when all are valid, 1 when"
                    + " one is not, 2 when one cannot be read.")
    static final class Validate implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "FILE", description = "Pipeline files to check.")
        List<Path> files;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            int exitCode = 0;
            for (Path file : files) {
                try {
                    PipelineDefinition definition = PipelineLoader.load(file);
                    int stages = definition.stages().size();
                    out.printf("ok  %s  %s v%d, %d stage%s%n", file, definition.name(), definition.version(), stages,
                            stages == 1 ? "" : "s");
                } catch (PipelineDefinitionException e) {
                    e.problems().stream().map(DefinitionProblem::toString).forEach(out::println);
                    exitCode = Math.max(exitCode, 1);
                } catch (IOException e) {
                    err.println(file + ": cannot read: " + (e instanceof NoSuchFileException ? "no such file"
                            : e.getMessage()));
                    exitCode = 2;
                }
            }
            out.flush();
            return exitCode;
        }
    }
}
