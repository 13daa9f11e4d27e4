package io.tally.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tally.faults.ExactlyOnceChecker.JobExpectation;
import io.tally.faults.ExactlyOnceChecker.Verdict;
import io.tally.faults.worker.FanWorkerApplication;
import io.tally.jobtracker.JobTrackerApplication;
import io.tally.localruntime.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The declared fan-join pipeline ({@link FanJoin}) with the engine (job-tracker) and its worker
 * ({@link FanWorkerApplication}, 5 ms per work task) in separate JVMs: two runs of 200 elements each, with work
 * requests and results duplicated on the way; the worker is SIGKILLed once a third of the work results are out and
 * restarted, then the engine is SIGKILLed at two thirds and restarted. Each job must complete once, count each
 * element once, and have its join dispatched once with every element's output once, in list order.
 */
@Timeout(900)
class FanJoinCrashFaultTest {

    private static final int JOBS = 2;
    private static final int ELEMENTS = Integer.getInteger("tally.faults.fan-elements", 200);
    private static final Duration SETTLE = Duration.ofMinutes(4);

    @TempDir
    static Path dir;

    static FaultStack stack;
    static ServiceProcess engine;
    static ServiceProcess worker;

    @BeforeAll
    static void startEngineAndWorker() {
        stack = FaultStack.start(dir);
        engine = stack.service("engine", JobTrackerApplication.class, JobTrackerApplication.CONFIG_NAME,
                FanJoin.engineArguments());
        worker = stack.service("fan-worker", FanWorkerApplication.class, FanWorkerApplication.CONFIG_NAME,
                "--fan.work-millis=5");
        // The engine first: it publishes the pipeline and creates the task topics.
        FaultStack.startAll(List.of(engine));
        FaultStack.startAll(List.of(worker));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void everyFanOutRunCompletesOnceWithEachElementOnceWhenTheWorkerAndTheEngineAreKilledMidRun() throws Exception {
        // Given two runs of the fan-join pipeline, with some work requests and results duplicated as they pass
        String prefix = "fancrash-";
        long total = (long) JOBS * ELEMENTS;
        try (FanJoin.Duplicator duplicator = new FanJoin.Duplicator(stack)) {
            Instant started = Instant.now();
            List<String> jobs = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) {
                jobs.add(FanJoin.trigger(stack, prefix + UUID.randomUUID(), ELEMENTS));
            }

            // When the worker is SIGKILLed once a third of the work results are out, and started again
            long atWorkerKill = killAt(duplicator, total / 3, worker);
            Duration workerBack = restart(worker);
            // And the engine is SIGKILLed at two thirds, and started again
            long atEngineKill = killAt(duplicator, 2 * total / 3, engine);
            Duration engineBack = restart(engine);

            // Then every job completes exactly once, COMPLETED, with each of its elements counted once
            List<JobExpectation> expected = jobs.stream().map(job -> FanJoin.expectation(job, ELEMENTS)).toList();
            Verdict verdict = stack.checker(null, null).await(expected, id -> id.startsWith(prefix), SETTLE);
            Duration runtime = Duration.between(started, Instant.now());
            Map<String, Long> duplicates = new TreeMap<>();
            verdict.observations().latestStatus().forEach((job, status) -> {
                if (job.startsWith(prefix)) {
                    duplicates.put(job, status.getDuplicateCount());
                }
            });
            FaultRun.log("fan-join crash: worker killed at " + atWorkerKill + "/" + total + " work results (back in "
                    + FaultRun.seconds(workerBack) + "), engine killed at " + atEngineKill + "/" + total + " (back in "
                    + FaultRun.seconds(engineBack) + "), requests duplicated " + duplicator.requestsCopied()
                    + ", results duplicated " + duplicator.resultsCopied() + ", work results seen "
                    + duplicator.workResults() + ", duplicates counted " + duplicates + ", run "
                    + FaultRun.seconds(runtime) + ": " + (verdict.ok() ? "ok" : verdict.violations() + ", logs "
                    + stack.logs));
            verdict.assertExactlyOnce();
            // And each join was dispatched once, with every element's output once, in list order
            jobs.forEach(job -> FanJoin.assertJoinedOnce(stack, job, ELEMENTS));
            // And the injected duplicates (and the kill's redeliveries) were counted as duplicates, not as elements
            long injected = FanJoin.injectedDuplicates(ELEMENTS);
            await("the injected duplicates are counted").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    jobs.forEach(job -> assertThat(stack.checker(null, null).observe().latestStatus().get(job)
                            .getDuplicateCount()).as("duplicates of %s", job).isGreaterThanOrEqualTo(injected)));
            FaultRun.figure("Fan-join crash (declared pipeline)", "engine and worker JVMs, " + JOBS + " x " + ELEMENTS
                            + " elements, work requests and results duplicated; SIGKILL worker at " + atWorkerKill + "/"
                            + total + " results, engine at " + atEngineKill + "/" + total + ", restart each",
                    1, JOBS, verdict.missing(), verdict.duplicates(), "worker back " + FaultRun.seconds(workerBack)
                            + ", engine back " + FaultRun.seconds(engineBack) + ", run " + FaultRun.seconds(runtime));
        }
    }

    /** Waits until {@code results} work results are out, then SIGKILLs {@code victim}; returns the count at the kill. */
    private static long killAt(FanJoin.Duplicator duplicator, long results, ServiceProcess victim) {
        await(victim.name() + " kill point: " + results + " work results").atMost(FaultStack.STARTUP)
                .pollInterval(Duration.ofMillis(10)).until(() -> duplicator.workResults() >= results);
        long at = duplicator.workResults();
        victim.kill();
        return at;
    }

    /** Starts a killed service again and returns how long it took to be ready. */
    private static Duration restart(ServiceProcess service) {
        Instant start = Instant.now();
        service.start().awaitReady(FaultStack.STARTUP);
        return Duration.between(start, Instant.now());
    }
}
