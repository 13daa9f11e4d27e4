package io.tally.examples.nodeworker;

import io.tally.examples.nodeworker.tasks.ReportedStats;
import io.tally.examples.nodeworker.tasks.StatsReportInput;
import io.tally.examples.nodeworker.tasks.StatsReportOutput;
import io.tally.examples.nodeworker.tasks.TextSourceInput;
import io.tally.examples.nodeworker.tasks.TextSourceOutput;
import io.tally.worker.TaskHandler;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * The Java half of the test pipeline ({@code pipelines/node-word-stats.yml} in the test resources), written with
 * libs/tally-worker: {@code text-source} hands the run's text on, trimmed, to the Node stage; {@code stats-report}
 * reads the Node worker's output and turns it into a sentence. It runs in the test's JVM, and {@link #reported}
 * keeps what {@code stats-report} received per job, so a test can see the Node output as the next stage read it.
 */
@SpringBootApplication
public class TextWorkerApplication {

    /** Configuration file of this worker: {@code classpath:text-worker.yml}. */
    public static final String CONFIG_NAME = "text-worker";

    private static final Map<String, List<ReportedStats>> REPORTED = new ConcurrentHashMap<>();

    /** What {@code stats-report} was given for {@code jobId}, once per run of the task. */
    public static List<ReportedStats> reported(String jobId) {
        return REPORTED.getOrDefault(jobId, List.of());
    }

    @Bean
    TaskHandler<TextSourceInput, TextSourceOutput> textSource() {
        return TaskHandler.of("text-source", TextSourceInput.class, TextSourceOutput.class,
                (input, ctx) -> new TextSourceOutput(input.getText().strip()));
    }

    @Bean
    TaskHandler<StatsReportInput, StatsReportOutput> statsReport() {
        return TaskHandler.of("stats-report", StatsReportInput.class, StatsReportOutput.class, (input, ctx) -> {
            ReportedStats stats = input.getStats();
            REPORTED.computeIfAbsent(ctx.jobId(), job -> new CopyOnWriteArrayList<>()).add(stats);
            return new StatsReportOutput("%d words, %d characters, longest: %s".formatted(stats.getWords(),
                    stats.getCharacters(), stats.getLongest()));
        });
    }
}
