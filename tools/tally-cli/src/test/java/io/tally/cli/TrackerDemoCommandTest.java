package io.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * End-to-end check of {@code tally tracker-demo}: a real KRaft broker and Apicurio registry as child processes and the job
 * tracker in this JVM. Slow (about 15-25 s) because it starts all three for real.
 */
class TrackerDemoCommandTest {

    @Test
    @Timeout(180)
    void countsASampleJobToOneCompletionOnARealBroker(@TempDir Path dataDir) throws IOException {
        // Given a small job: 30 items, 2 of them failing, 5 redeliveries
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine tally = new CommandLine(new TallyCommand())
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true));

        // When the demo runs it through the job tracker
        int exitCode = tally.execute("tracker-demo", "--items", "30", "--duplicates", "5", "--failures", "2",
                "--data-dir", dataDir.toString());

        // Then it ends in exactly one completion that counts each item once
        assertThat(exitCode).as("exit code; stdout:%n%s%nstderr:%n%s", out, err).isZero();
        assertThat(out.toString())
                .contains("COMPLETED_WITH_FAILURES: 28 succeeded, 2 failed, 0 skipped of 30 expected")
                .contains("Checked: exactly one JobCompleted")
                .contains("Logs: ");
        // And the tracker's log went to the file the console names, not to the console
        try (Stream<Path> runs = Files.list(dataDir)) {
            Path log = runs.findFirst().orElseThrow().resolve("logs").resolve(StackLogging.SERVICES_LOG);
            assertThat(Files.readString(log)).contains("Start-up step service job-tracker took");
        }
    }

    @Test
    void rejectsMoreFailuresThanItems() {
        // Given more failures than items
        StringWriter err = new StringWriter();
        CommandLine tally = new CommandLine(new TallyCommand()).setErr(new PrintWriter(err, true));

        // When the demo is asked to run it
        int exitCode = tally.execute("tracker-demo", "--items", "5", "--failures", "6");

        // Then it refuses before starting anything
        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString()).contains("--failures must be between 0 and --items (5), was 6");
    }
}
