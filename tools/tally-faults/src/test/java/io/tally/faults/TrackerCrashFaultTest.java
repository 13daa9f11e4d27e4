package io.tally.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tally.common.topics.Topics;
import io.tally.faults.ExactlyOnceChecker.JobExpectation;
import io.tally.faults.ExactlyOnceChecker.Verdict;
import io.tally.jobtracker.JobTrackerApplication;
import io.tally.localruntime.ServiceProcess;
import io.tally.localruntime.TrackerWorkload;
import io.tally.localruntime.TrackerWorkload.Shape;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two job-tracker instances in separate JVMs with one standby replica each; part-way through K jobs (items sent in
 * the background with duplicates, reordered retries and early items) one is SIGKILLed and restarted. Every job must
 * complete exactly once with the right counts. Then SIGTERM must make a tracker commit and exit in bounded time.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(900)
class TrackerCrashFaultTest {

    private static final String GROUP = "tally-job-tracker";
    private static final Duration SETTLE = Duration.ofMinutes(4);
    private static final Duration SEND_SPREAD = Duration.ofSeconds(15);

    @TempDir
    static Path dir;

    static FaultStack stack;
    static ServiceProcess trackerA;
    static ServiceProcess trackerB;

    @BeforeAll
    static void startTwoTrackers() {
        stack = FaultStack.start(dir);
        trackerA = tracker("tracker-a");
        trackerB = tracker("tracker-b");
        FaultStack.startAll(List.of(trackerA, trackerB));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private static ServiceProcess tracker(String instance) {
        return stack.service(instance, JobTrackerApplication.class, JobTrackerApplication.CONFIG_NAME,
                "--spring.kafka.streams.properties.num.standby.replicas=1",
                "--tally.tracker.status-interval=200ms");
    }

    @Test
    @Order(1)
    void everyJobCompletesExactlyOnceWithCorrectCountsWhenATrackerIsKilledAndRestartedMidRun() throws Exception {
        List<Duration> toFirstCompletion = new ArrayList<>();
        List<Duration> toStableGroup = new ArrayList<>();
        long lost = 0;
        long duplicated = 0;
        for (int run = 1; run <= FaultRun.runs(); run++) {
            // Given K jobs whose items are being sent in the background
            String prefix = "crash-r" + run + "-";
            TrackerWorkload workload = new TrackerWorkload(Shape.faults(prefix, FaultRun.jobs(), FaultRun.items()), run);
            ServiceProcess victim = run % 2 == 1 ? trackerA : trackerB;
            AtomicInteger sent = new AtomicInteger();
            try (TopicWatcher watcher = new TopicWatcher(stack.bootstrapServers(), Topics.JOB_COMPLETED.name())) {
                CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> send(workload, sent));

                // When one tracker is SIGKILLed a third of the way through, and started again
                while (sent.get() < workload.sends().size() / 3 && !sending.isDone()) {
                    Thread.sleep(50);
                }
                Instant killedAt = Instant.now();
                victim.kill();
                victim.start().awaitReady(FaultStack.STARTUP);
                toStableGroup.add(awaitStableGroup(killedAt));
                sending.get(5, TimeUnit.MINUTES);

                // Then every job completes exactly once with the counts its items give
                Verdict verdict = stack.checker(null, null).await(expectations(workload), id -> id.startsWith(prefix),
                        SETTLE);
                lost += verdict.missing();
                duplicated += verdict.duplicates();
                toFirstCompletion.add(watcher.firstCompletionAfter(killedAt));
                FaultRun.log(prefix + " verdict: " + (verdict.ok() ? "ok" : verdict.violations() + "; group "
                        + members() + ", unprocessed inputs " + unprocessed() + ", stable/high offsets " + stableVersusHigh()
                        + ", tracker dead letters " + ExactlyOnceChecker.readRaw(stack.bootstrapServers(),
                        Topics.JOB_TRACKER_DLT.name()).stream().limit(3).map(r -> r.key() + ": "
                        + io.tally.common.errors.DeadLetterHeaders.reason(r.headers())).toList()
                        + ", logs " + stack.logs));
                verdict.assertExactlyOnce();
                assertThat(verdict.observations().latestStatus().get(workload.jobId(0)).getDuplicateCount())
                        .as("the injected duplicates were seen and ignored").isPositive();
            }
        }
        FaultRun.figure("Tracker crash", "2 tracker JVMs, standby 1, SIGKILL one at 1/3 of the items, restart",
                FaultRun.runs(), FaultRun.runs() * FaultRun.jobs(), lost, duplicated,
                "next JobCompleted " + worst(toFirstCompletion) + ", group stable " + worst(toStableGroup));
    }

    @Test
    @Order(2)
    void sigtermMakesATrackerCommitItsWorkAndExitWithinThirtySeconds() throws Exception {
        // Given a last batch of jobs, processed by both trackers
        String prefix = "term-";
        TrackerWorkload workload = new TrackerWorkload(Shape.faults(prefix, 2, FaultRun.items()), 99);
        send(workload, new AtomicInteger());
        stack.checker(null, null).await(expectations(workload), id -> id.startsWith(prefix), SETTLE).assertExactlyOnce();

        // When tracker B gets SIGTERM
        Duration exit = trackerB.terminate(Duration.ofSeconds(30));

        // Then it exits within 30 s, and its input offsets are committed to the end: nothing will be processed twice
        assertThat(exit).as("exited within 30 s; log:\n%s", trackerB.tail(40)).isNotNull();
        assertThat(unprocessed()).as("input records not committed by the tracker group").isZero();
        List<String> members = members();
        FaultRun.figure("Graceful shutdown (tracker)", "SIGTERM to one of 2 tracker JVMs", 1, 2, 0, 0,
                "exit " + FaultRun.seconds(exit) + ", lag 0, left the group: "
                        + (members.contains("tracker-b") ? "no (static member kept until session timeout)" : "yes"));
    }

    /** The tracker's jobs have no playlist or notification to check, only their completion and counts. */
    private static List<JobExpectation> expectations(TrackerWorkload workload) {
        return workload.expected().stream().map(job -> new JobExpectation(job.jobId(), job.sourceRef(), job.state(),
                job.expectedCount(), job.succeeded(), job.failed(), job.skipped(), false, false)).toList();
    }

    private static void send(TrackerWorkload workload, AtomicInteger sent) {
        long pause = Math.max(1, SEND_SPREAD.toMillis() / Math.max(1, workload.sends().size()));
        try (KafkaProducer<String, SpecificRecord> producer = stack.producer()) {
            for (TrackerWorkload.Send send : workload.sends()) {
                producer.send(new ProducerRecord<>(send.topic(), send.key(), send.value()));
                sent.incrementAndGet();
                Thread.sleep(pause);
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Time from the kill until the group is STABLE with both members again. */
    private static Duration awaitStableGroup(Instant killedAt) {
        try (Admin admin = stack.admin()) {
            await("the tracker group is stable with both members").atMost(SETTLE).pollInterval(Duration.ofMillis(200))
                    .until(() -> admin.describeConsumerGroups(List.of(GROUP)).all().get(30, TimeUnit.SECONDS)
                            .get(GROUP), group -> group.groupState() == GroupState.STABLE && group.members().size() == 2);
            return Duration.between(killedAt, Instant.now());
        }
    }

    /**
     * Last stable offset / high watermark of each output partition: a gap that does not close is a transaction left
     * open, which hides every later record from read_committed readers.
     */
    private static java.util.Map<String, String> stableVersusHigh() throws Exception {
        java.util.Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest =
                new java.util.HashMap<>();
        for (String topic : List.of(Topics.JOB_STATUS.name(), Topics.JOB_COMPLETED.name())) {
            for (int p = 0; p < Topics.JOB_PARTITIONS; p++) {
                latest.put(new org.apache.kafka.common.TopicPartition(topic, p),
                        org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
        }
        java.util.Map<String, String> gaps = new java.util.TreeMap<>();
        try (Admin admin = stack.admin()) {
            var stable = admin.listOffsets(latest, new org.apache.kafka.clients.admin.ListOffsetsOptions(
                    org.apache.kafka.common.IsolationLevel.READ_COMMITTED)).all().get(30, TimeUnit.SECONDS);
            var high = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
            stable.forEach((partition, info) -> gaps.put(partition.toString(),
                    info.offset() + "/" + high.get(partition).offset()));
        }
        return gaps;
    }

    private static long unprocessed() throws Exception {
        try (Admin admin = stack.admin()) {
            return GroupLag.unprocessed(stack.bootstrapServers(), admin, GROUP,
                    List.of(Topics.JOB_CREATED.name(), Topics.ITEM_PROCESSED.name()));
        }
    }

    private static List<String> members() throws Exception {
        try (Admin admin = stack.admin()) {
            return admin.describeConsumerGroups(List.of(GROUP)).all().get(30, TimeUnit.SECONDS).get(GROUP).members()
                    .stream().map(MemberDescription::groupInstanceId).map(id -> id.orElse("?")).toList();
        }
    }

    private static String worst(List<Duration> durations) {
        return FaultRun.seconds(durations.stream().filter(java.util.Objects::nonNull).max(Duration::compareTo)
                .orElse(null));
    }
}
