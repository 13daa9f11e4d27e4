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

/**
 * A tiny bench run of every part on real broker, registry and tracker processes: checks the verdict and the
 * summary's shape, never the speed.
 */
class BenchCommandTest {

    @TempDir
    Path dir;

    @Test
    void tinyRunVerifiesEveryJobAndPrintsEveryFigureAsTheLastLine() throws Exception {
        // Given
        Path output = dir.resolve("summary.json");
        StringWriter stdout = new StringWriter();
        CommandLine command = new CommandLine(new BenchCommand());
        command.setOut(new PrintWriter(stdout, true));

        // When
        int exitCode = command.execute("--records=2000", "--jobs=20", "--items=20", "--latency-seconds=2",
                "--e2e-runs=1", "--open-jobs=2000", "--failover-runs=1", "--engine-jobs=10", "--commit-intervals=100",
                "--throughput-rounds=1", "--output=" + output);

        // Then
        assertThat(exitCode).isZero();
        List<String> lines = stdout.toString().lines().filter(line -> !line.isBlank()).toList();
        JsonNode summary = JsonMapper.builder().build().readTree(lines.get(lines.size() - 1));
        assertThat(summary.get("verified").asBoolean()).isTrue();
        assertThat(summary.get("problems")).isEmpty();
        assertThat(summary.at("/throughput/ordinalItems/trackerCompletions").asInt()).isEqualTo(20);
        assertThat(summary.at("/throughput/keyedItems/trackerCompletions").asInt()).isEqualTo(20);
        for (String ratio : List.of("identityToProducer", "countToProducer", "trackerToCount",
                "trackerToCountKeyedItems")) {
            assertThat(summary.at("/ratios/" + ratio).asDouble()).as(ratio).isPositive();
        }
        String shipped = summary.get("trackerCommitIntervalMs").asText();
        assertThat(summary.at("/latencyByCommitIntervalMs/" + shipped + "/p99Ms").asDouble()).isPositive();
        assertThat(summary.at("/latencyByCommitIntervalMs/100/measuredJobs").asInt()).isPositive();
        assertThat(summary.at("/endToEnd/runs").asInt()).isEqualTo(1);
        assertThat(summary.at("/scale/rssBytes").asLong()).isPositive();
        assertThat(summary.at("/scale/restoreUntilProcessingSec").asDouble()).isPositive();
        assertThat(summary.at("/scale/failoverWithStandbySec").asDouble()).isPositive();
        assertThat(summary.at("/scale/failoverWithStandbyRunsSec")).hasSize(1);
        assertThat(summary.at("/engine/completions").asInt()).isEqualTo(10);
        for (String section : List.of("infrastructure", "throughput", "latency", "scale", "engine", "e2e")) {
            assertThat(summary.at("/sectionSec/" + section).asDouble()).as(section).isPositive();
        }
        assertThat(JsonMapper.builder().build().readTree(Files.readString(output))).isEqualTo(summary);
    }

    @Test
    void tinyEngineRunCompletesEveryPipelineJobOnceThroughTheRegistryCodecAndAnEchoWorker() throws Exception {
        // Given
        Path output = dir.resolve("engine.json");

        // When
        int exitCode = new CommandLine(new BenchCommand()).setOut(new PrintWriter(new StringWriter(), true))
                .execute("--sections=engine", "--engine-jobs=30", "--output=" + output);

        // Then every job completed once, COMPLETED, each task requested and answered once; speed is not checked
        assertThat(exitCode).isZero();
        JsonNode summary = JsonMapper.builder().build().readTree(Files.readString(output));
        assertThat(summary.get("problems")).isEmpty();
        assertThat(summary.at("/engine/completions").asInt()).isEqualTo(30);
        assertThat(summary.at("/engine/taskResultsSent").asInt()).isEqualTo(30 * EngineBench.TASKS_PER_JOB);
        for (String rate : List.of("jobsPerSec", "stageTransitionsPerSec", "taskRoundTripsPerSec")) {
            assertThat(summary.at("/engine/" + rate).asLong()).as(rate).isPositive();
        }
    }

    @Test
    void tinyCurvesRunMeasuresEveryPointAndWritesItsPlots() throws Exception {
        // Given
        Path output = dir.resolve("curves.json");
        Path plots = dir.resolve("plots");

        // When
        int exitCode = new CommandLine(new BenchCommand()).setOut(new PrintWriter(new StringWriter(), true))
                .execute("--sections=curves", "--open-jobs-curve=500", "--load-percents=50,100", "--jobs=20",
                        "--items=20", "--latency-seconds=1", "--engine-jobs=10", "--plots=" + plots,
                        "--output=" + output);

        // Then every point completed its jobs, and each curve was drawn; speed is not checked
        assertThat(exitCode).isZero();
        JsonNode summary = JsonMapper.builder().build().readTree(Files.readString(output));
        assertThat(summary.get("problems")).isEmpty();
        assertThat(summary.at("/curves/latencyByLoad/maxTrackerRecordsPerSec").asLong()).isPositive();
        assertThat(summary.at("/curves/latencyByLoad/points")).hasSize(2)
                .allSatisfy(point -> assertThat(point.get("p99Ms").asDouble()).isPositive());
        assertThat(summary.at("/curves/engineByStages")).hasSize(CostCurves.STAGE_COUNTS.size())
                .allSatisfy(point -> assertThat(point.get("completions").asInt()).isEqualTo(10));
        assertThat(summary.at("/curves/byOpenJobs/0/rssBytes").asLong()).isPositive();
        assertThat(summary.at("/curves/byOpenJobs/0/restoreUntilProcessingSec").asDouble()).isPositive();
        assertThat(summary.at("/curves/plots")).hasSize(4).allSatisfy(plot -> {
            Path png = Path.of(plot.asText());
            assertThat(png).startsWith(plots).isNotEmptyFile();
            assertThat(Files.readAllBytes(png)).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
        });
    }

    @Test
    void tinyTaskQueueRunComparesConsumerAndShareGroupsWithNothingLost() throws Exception {
        // Given
        Path output = dir.resolve("tasks.json");

        // When
        int exitCode = new CommandLine(new BenchCommand()).setOut(new PrintWriter(new StringWriter(), true))
                .execute("--sections=tasks", "--tasks=300", "--task-seconds=2", "--output=" + output);

        // Then
        assertThat(exitCode).isZero();
        JsonNode summary = JsonMapper.builder().build().readTree(Files.readString(output));
        assertThat(summary.get("problems")).isEmpty();
        for (String part : List.of("throughput/consumer", "throughput/share", "throughput/shareSpringContainer",
                "headOfLine/consumer",
                "headOfLine/share", "headOfLine/shareOnePerPoll", "crash/consumer", "crash/share",
                "crash/shareShortTimeouts")) {
            assertThat(summary.at("/taskQueues/" + part + "/lost").asLong()).as(part).isZero();
        }
        for (String poison : List.of("share", "shareSpringContainer")) {
            assertThat(summary.at("/taskQueues/poison/" + poison + "/deliveries").asInt()).as(poison)
                    .isEqualTo(TaskQueueBench.DELIVERY_COUNT_LIMIT);
        }
        for (String ratio : List.of("throughputShareToConsumer", "fastP99ShareToConsumer", "crashRecoveryShareToConsumer")) {
            assertThat(summary.at("/ratios/" + ratio).asDouble()).as(ratio).isPositive();
        }
    }
}
