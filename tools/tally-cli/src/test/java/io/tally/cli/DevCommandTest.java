package io.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code tally dev} refuses what it cannot run before starting anything, with one line per problem. The timeout
 * bounds a regression that would start the stack instead (it runs until stopped).
 */
@Timeout(120)
class DevCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final CommandLine tally = new CommandLine(new TallyCommand())
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true));

    @Test
    void refusesABadConfigFileWithOneLineNamingTheKeyAndStartsNothing() throws IOException {
        // Given a config file with an adapter the search service does not have
        Path bad = Files.writeString(dir.resolve("bad.yml"), """
                services:
                  track-search:
                    tally.search.adapter: bogus
                """);

        // When the dev stack is started with it
        int exitCode = tally.execute("dev", "--config", bad.toString(), "--data-dir", dir.resolve("data").toString());

        // Then it exits non-zero with one line naming the file, the key and the allowed values, and nothing started
        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString().lines()).containsExactly("ERROR: " + bad
                + ": services.track-search.tally.search.adapter: 'bogus' is not one of offline, youtube");
        assertThat(out.toString()).doesNotContain("Starting");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void refusesALiteralSecretWithoutPrintingIt() throws IOException {
        // Given a config file with an API key written in it
        Path bad = Files.writeString(dir.resolve("bad.yml"), """
                services:
                  track-search:
                    tally.search.youtube.api-key: AIzaDoNotPrintMe
                """);

        // When the dev stack is started with it
        int exitCode = tally.execute("dev", "--config", bad.toString(), "--data-dir", dir.resolve("data").toString());

        // Then the key is named and the value is not shown
        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString().lines()).singleElement().asString()
                .contains("services.track-search.tally.search.youtube.api-key: a secret must not be written in the file");
        assertThat(err.toString() + out).doesNotContain("AIzaDoNotPrintMe");
    }

    @Test
    void refusesFreshWithoutATerminalOrYesAndKeepsTheState() throws IOException {
        // Given a data dir with state in it
        Path data = dir.resolve("data");
        Path kept = Files.createDirectories(data.resolve("kafka")).resolve("meta.properties");
        Files.writeString(kept, "kept");

        // When --fresh is asked for without a terminal (tests have none) and without --yes
        int exitCode = tally.execute("dev", "--fresh", "--data-dir", data.toString());

        // Then it refuses with one line and deletes nothing
        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString().lines()).containsExactly("ERROR: --fresh deletes the state in " + data.toAbsolutePath()
                + "; without a terminal to confirm, add --yes");
        assertThat(kept).exists();
    }
}
