package io.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tally pipelines validate}: one line per valid file, one per problem, and the exit codes scripts rely on. */
class PipelinesCommandTest {

    @TempDir
    Path dir;

    @Test
    void printsOkForEachValidFileAndExitsZero() throws IOException {
        // Given two valid files, one of them the repository's reference pipeline
        Path reference = Path.of("../../pipelines/beatport-chart.yml");
        Path small = write("small.yml", "name: small\nversion: 2\nstages:\n  - {id: a, task: t}\n");

        Run run = tally("pipelines", "validate", reference.toString(), small.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().lines()).containsExactly(
                "ok  " + reference + "  beatport-chart v1, 5 stages",
                "ok  " + small + "  small v2, 1 stage");
    }

    @Test
    void printsEachProblemAsFileLineMessageAndExitsOne() throws IOException {
        // Given a valid file and one with a typo and a dependency on an unknown stage
        Path good = write("good.yml", "name: good\nversion: 1\nstages:\n  - {id: a, task: t}\n");
        Path bad = write("bad.yml", """
                name: bad
                version: 1
                stages:
                  - id: a
                    task: t
                    dependOn: [x]
                  - {id: b, task: t, dependsOn: [c]}
                """);

        Run run = tally("pipelines", "validate", good.toString(), bad.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out().lines()).containsExactly(
                "ok  " + good + "  good v1, 1 stage",
                bad + ":6: unknown key 'dependOn' in a stage (did you mean 'dependsOn'?)",
                bad + ":7: stage b depends on unknown stage 'c'");
    }

    @Test
    void exitsTwoForAFileThatCannotBeReadAndStillChecksTheOthers() throws IOException {
        Path missing = dir.resolve("missing.yml");
        Path invalid = write("invalid.yml", "name: invalid\nstages:\n  - {id: a, task: t}\n");

        Run run = tally("pipelines", "validate", missing.toString(), invalid.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(missing + ": cannot read: no such file");
        assertThat(run.out()).contains(invalid + ":1: the pipeline has no version");
    }

    @Test
    void refusesACallWithoutFilesAsAUsageError() {
        Run run = tally("pipelines", "validate");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required parameter: 'FILE'");
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private record Run(int exitCode, String out, String err) {
    }

    private static Run tally(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = new CommandLine(new TallyCommand()).setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true)).execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }
}
