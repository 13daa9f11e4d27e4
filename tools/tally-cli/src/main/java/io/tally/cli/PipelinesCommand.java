package io.tally.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tally.pipeline.DefinitionProblem;
import io.tally.pipeline.PipelineDefinition;
import io.tally.pipeline.PipelineDefinitionException;
import io.tally.pipeline.PipelineLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tally pipelines validate FILE...}: reads pipeline definitions (docs/pipelines.md) the way the engine will and
 * lists every problem as {@code file:line: message}, without a broker. Each file is checked on its own: two files
 * that declare the same pipeline name are only refused by a folder's catalogue (the repository's test).
 * {@code tally pipelines list} and {@code show NAME} read the published definitions from the jobs API.
 */
@Command(name = "pipelines", mixinStandardHelpOptions = true,
        description = "Works with pipeline definitions (pipelines/<name>.yml) and the published ones.",
        subcommands = {PipelinesCommand.Validate.class, PipelinesCommand.ListPipelines.class,
                PipelinesCommand.ShowPipeline.class})
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

    /** {@code tally pipelines list}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists the published pipelines at their latest version.")
    static final class ListPipelines implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ApiOptions api;

        @Override
        public Integer call() {
            return ApiOptions.run(spec, () -> {
                JsonNode answer = api.get("/api/pipelines");
                PrintWriter out = spec.commandLine().getOut();
                out.println(String.format(Locale.ROOT, "%-28s %-8s %-7s %s", "PIPELINE", "VERSION", "STAGES",
                        "DESCRIPTION"));
                for (JsonNode pipeline : answer) {
                    out.println(String.format(Locale.ROOT, "%-28s %-8s %-7d %s", pipeline.path("name").asText(),
                            "v" + pipeline.path("version").asInt(), pipeline.path("stages").size(),
                            pipeline.path("description").asText("")));
                }
                out.println(answer.size() + " pipeline" + (answer.size() == 1 ? "" : "s"));
            });
        }
    }

    /** {@code tally pipelines show NAME [VERSION]}. */
    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Shows a published pipeline: parameters, schedules and stages in order with what each"
                    + " depends on.")
    static final class ShowPipeline implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ApiOptions api;
        @Parameters(index = "0", paramLabel = "NAME", description = "The pipeline to show.")
        String name;
        // Not an option: the standard help options already take --version.
        @Parameters(index = "1", arity = "0..1", paramLabel = "VERSION", description = "This version instead of the latest.")
        Integer version;

        @Override
        public Integer call() {
            String path = "/api/pipelines/" + URLEncoder.encode(name, StandardCharsets.UTF_8)
                    + (version == null ? "" : "/versions/" + version);
            return ApiOptions.run(spec, () -> {
                JsonNode pipeline = api.get(path);
                PrintWriter out = spec.commandLine().getOut();
                List<String> versions = new ArrayList<>();
                pipeline.path("versions").forEach(known -> versions.add(known.asText()));
                out.printf("%s v%d  %s%n", pipeline.path("name").asText(), pipeline.path("version").asInt(),
                        pipeline.path("description").asText(""));
                out.println("  versions published: " + String.join(", ", versions));
                for (JsonNode parameter : pipeline.path("parameters")) {
                    out.printf("  parameter %s %s %s%n", parameter.path("name").asText(),
                            parameter.path("type").asText().toLowerCase(Locale.ROOT),
                            parameter.path("required").asBoolean() ? "required"
                                    : "default " + parameter.path("defaultValue").asText());
                }
                for (JsonNode schedule : pipeline.path("schedules")) {
                    out.printf("  schedule %s \"%s\" %s%s%n", schedule.path("name").asText(),
                            schedule.path("cron").asText(), schedule.path("zone").asText(),
                            schedule.path("enabled").asBoolean() ? "" : " (disabled)");
                }
                for (JsonNode stage : pipeline.path("stages")) {
                    List<String> after = new ArrayList<>();
                    stage.path("dependsOn").forEach(dependency -> after.add(dependency.asText()));
                    out.printf("  stage %s: %s%s%s%n", stage.path("id").asText(), stage.path("task").asText(),
                            stage.path("forEach").asBoolean() ? " for each" : "",
                            after.isEmpty() ? "" : " after " + String.join(", ", after));
                }
            });
        }
    }
}
