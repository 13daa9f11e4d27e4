package io.tally.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tally.common.config.ServiceLauncher;
import io.tally.common.health.KafkaStreamsHealth;
import io.tally.faults.ExactlyOnceChecker.Verdict;
import io.tally.faults.worker.FanWorkerApplication;
import io.tally.jobtracker.JobTrackerApplication;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A declared pipeline end to end on a real broker process and the real registry: the engine (the job-tracker
 * service, publishing {@code pipelines/fan-join.yml} from the test resources at start-up) and a worker written only
 * with libs/tally-worker ({@link FanWorkerApplication}), both in this JVM. {@code list} makes N elements,
 * {@code work} runs once per element, {@code side} runs beside it, {@code sum} joins both; some work requests and
 * results are duplicated on the way. The job must complete once, count each element once, and join every output once.
 */
@Timeout(300)
class FanJoinPipelineTest {

    private static final int ELEMENTS = 40;
    private static final Duration SETTLE = Duration.ofMinutes(2);

    @TempDir
    static Path dir;

    static FaultStack stack;
    static final List<ConfigurableApplicationContext> services = new ArrayList<>();

    @BeforeAll
    static void startEngineAndWorker() {
        // One logging set-up for the JVM (logback-test.xml), as LocalStack does: two Spring applications in one JVM
        // would each reconfigure the shared logback context.
        System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
        stack = FaultStack.start(dir);
        // The engine first: it publishes the definitions and creates the task topics before its streams start.
        ConfigurableApplicationContext engine = start(JobTrackerApplication.class, JobTrackerApplication.CONFIG_NAME,
                FanJoin.engineArguments());
        // The worker registers its four task types' schemas as it starts, before it consumes; meanwhile the engine's
        // streams join their group.
        start(FanWorkerApplication.class, FanWorkerApplication.CONFIG_NAME);
        KafkaStreamsHealth streams = engine.getBean(KafkaStreamsHealth.class);
        await("the engine's streams are RUNNING").atMost(FaultStack.STARTUP).pollInterval(Duration.ofMillis(200))
                .until(() -> streams.state() == KafkaStreams.State.RUNNING);
    }

    @AfterAll
    static void stop() {
        for (int i = services.size() - 1; i >= 0; i--) {
            services.get(i).close();
        }
        if (stack != null) {
            stack.close();
        }
        System.clearProperty(LoggingSystem.SYSTEM_PROPERTY);
    }

    @Test
    void aFanOutAndJoinCompletesOnceWithEachElementCountedOnceAndJoinedOnceInOrderDespiteDuplicates() throws Exception {
        // Given the engine and the worker, and duplicates of some work requests (same ce_id) and results injected
        try (FanJoin.Duplicator duplicator = new FanJoin.Duplicator(stack)) {
            String jobId = "fan-" + UUID.randomUUID();

            // When a run of 40 elements is triggered
            FanJoin.trigger(stack, jobId, ELEMENTS);

            // Then the job completes exactly once, COMPLETED, with 40 of 40 elements succeeded and none failed or lost
            Verdict verdict = stack.checker(null, null).await(List.of(FanJoin.expectation(jobId, ELEMENTS)),
                    id -> id.startsWith("fan-"), SETTLE);
            FaultRun.log("fan-join in-process " + jobId + ": " + (verdict.ok() ? "ok" : verdict.violations()));
            verdict.assertExactlyOnce();
            // And the join was dispatched once and ran once, with every element's output once, in list order
            FanJoin.assertJoinedOnce(stack, jobId, ELEMENTS);
            assertThat(FanWorkerApplication.runs(jobId, "sum")).isEqualTo(1);
            assertThat(FanWorkerApplication.runs(jobId, "list")).isEqualTo(1);
            assertThat(FanWorkerApplication.runs(jobId, "side")).isEqualTo(1);
            // And the SDK ran every duplicated request again, and the engine counted each extra result as a duplicate
            long injected = FanJoin.injectedDuplicates(ELEMENTS);
            await("every injected duplicate is counted as one").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(FanWorkerApplication.runs(jobId, "work")).isEqualTo(ELEMENTS + duplicator.requestsCopied());
                assertThat(stack.checker(null, null).observe().latestStatus().get(jobId).getDuplicateCount())
                        .isEqualTo(injected);
            });
            assertThat(duplicator.requestsCopied() + duplicator.resultsCopied()).isEqualTo(injected);
        }
    }

    /** A service in this JVM, on the stack's broker and registry, with its own state dir and any HTTP port. */
    private static ConfigurableApplicationContext start(Class<?> application, String configName, String... arguments) {
        List<String> all = new ArrayList<>(List.of(
                "--spring.kafka.bootstrap-servers=" + stack.bootstrapServers(),
                "--tally.kafka.registry-url=" + stack.registry.registryV2Url(),
                "--spring.kafka.streams.state-dir=" + dir.resolve("state").resolve(configName),
                "--server.port=0",
                "--spring.main.banner-mode=off"));
        all.addAll(List.of(arguments));
        ConfigurableApplicationContext context = ServiceLauncher.builder(application, configName)
                .registerShutdownHook(false).run(all.toArray(String[]::new));
        services.add(context);
        return context;
    }
}
