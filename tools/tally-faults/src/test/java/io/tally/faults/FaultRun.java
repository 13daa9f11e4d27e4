package io.tally.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;

/**
 * The size of a fault run and where its figures go: {@code -Dtally.faults.jobs}, {@code -Dtally.faults.items}
 * (items per job) and {@code -Dtally.faults.runs} (repetitions of each fault); every test appends one table row per
 * fault to {@code -Dtally.faults.report}, the source of the figures in docs/reliability.md.
 */
final class FaultRun {

    private FaultRun() {
    }

    static int jobs() {
        return Integer.getInteger("tally.faults.jobs", 4);
    }

    static int items() {
        return Integer.getInteger("tally.faults.items", 12);
    }

    static int runs() {
        return Integer.getInteger("tally.faults.runs", 1);
    }

    /** Appends a row: fault, injection, runs, jobs, lost, duplicated, recovery. */
    static void figure(String fault, String injection, int runs, int jobs, long lost, long duplicated, String recovery) {
        String row = String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %d | %s |%n", fault, injection, runs, jobs,
                lost, duplicated, recovery);
        System.out.print("FIGURE " + row);
        Path report = Path.of(System.getProperty("tally.faults.report", "target/fault-figures.md"));
        try {
            if (report.toAbsolutePath().getParent() != null) {
                Files.createDirectories(report.toAbsolutePath().getParent());
            }
            Files.writeString(report, row, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A progress line, written at once to {@code target/fault-run.log} (surefire shows test output only at the end). */
    static void log(String line) {
        try {
            Files.writeString(Path.of("target", "fault-run.log"), java.time.Instant.now() + " " + line + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String seconds(Duration duration) {
        return duration == null ? "n/a" : String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }
}
