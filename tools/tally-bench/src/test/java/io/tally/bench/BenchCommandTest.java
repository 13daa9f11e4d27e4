package io.tally.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A tiny bench run on a real broker process: checks the verdict and the summary's shape, never the speed. */
class BenchCommandTest {

    @TempDir
    Path dir;

    @Test
    void tinyRunVerifiesEveryJobAndPrintsPositiveRatiosAsTheLastLine() throws Exception {
        // Given
        Path output = dir.resolve("summary.json");
        StringWriter stdout = new StringWriter();
        CommandLine command = new CommandLine(new BenchCommand());
        command.setOut(new PrintWriter(stdout, true));

        // When
        int exitCode = command.execute("--records=2000", "--jobs=20", "--items=20", "--output=" + output);

        // Then
        assertThat(exitCode).isZero();
        List<String> lines = stdout.toString().lines().filter(line -> !line.isBlank()).toList();
        JsonNode summary = JsonMapper.builder().build().readTree(lines.get(lines.size() - 1));
        assertThat(summary.get("verified").asBoolean()).isTrue();
        assertThat(summary.get("trackerCompletions").asInt()).isEqualTo(20);
        JsonNode ratios = summary.get("ratios");
        for (String ratio : List.of("identityToProducer", "countToProducer", "trackerToCount")) {
            assertThat(ratios.get(ratio).isNumber()).as(ratio).isTrue();
            assertThat(ratios.get(ratio).asDouble()).as(ratio).isPositive();
        }
        assertThat(JsonMapper.builder().build().readTree(Files.readString(output))).isEqualTo(summary);
    }
}
