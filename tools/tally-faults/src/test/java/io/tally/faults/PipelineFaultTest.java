package io.tally.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tally.chartprocessor.ChartProcessorApplication;
import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.topics.TopicSpec;
import io.tally.common.topics.Topics;
import io.tally.events.ChartPublished;
import io.tally.events.ItemOutcome;
import io.tally.events.ItemProcessed;
import io.tally.events.JobCompleted;
import io.tally.events.JobCreated;
import io.tally.events.JobStalled;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.events.NotificationSent;
import io.tally.events.PlaylistCreated;
import io.tally.events.StageReported;
import io.tally.events.StageState;
import io.tally.events.TrackSearchRequested;
import io.tally.faults.ExactlyOnceChecker.Verdict;
import io.tally.jobtracker.JobTrackerApplication;
import io.tally.localruntime.ServiceProcess;
import io.tally.notification.NotificationServiceApplication;
import io.tally.playlist.PlaylistApplication;
import io.tally.tracksearch.TrackSearchApplication;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference pipeline from published charts on (chart-processor, track-search, job-tracker, playlist-service with
 * the file adapter, notification-service with the outbox), every service in its own JVM on a real broker process and
 * the real registry. Each test runs K charts through it under one fault and lets {@link ExactlyOnceChecker} judge:
 * a worker killed, the playlist service killed mid-creation, the broker restarted, duplicates and reordering on every
 * input topic, poison records of every kind on every input topic, and SIGTERM to every service.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(1800)
class PipelineFaultTest {

    private static final Duration SETTLE = Duration.ofSeconds(Long.getLong("tally.faults.settle-seconds", 240));
    private static final Duration SEND_SPREAD = Duration.ofSeconds(12);
    private static final Map<String, List<String>> GROUP_INPUTS = new LinkedHashMap<>();

    static {
        GROUP_INPUTS.put("tally-chart-processor", List.of(Topics.CHARTS_PUBLISHED.name()));
        GROUP_INPUTS.put("tally-track-search", List.of(Topics.SEARCH_REQUESTS.name()));
        GROUP_INPUTS.put("tally-job-tracker", List.of(Topics.JOB_CREATED.name(), Topics.ITEM_PROCESSED.name(),
                Topics.STAGE_REPORTED.name()));
        GROUP_INPUTS.put("tally-playlist-service", List.of(Topics.JOB_COMPLETED.name()));
        GROUP_INPUTS.put("tally-notification-service", List.of(Topics.JOB_STATUS.name(), Topics.JOB_STALLED.name(),
                Topics.ITEM_PROCESSED.name()));
    }

    @TempDir
    static Path dir;

    static FaultStack stack;
    static Path playlists;
    static Path outbox;
    static ServiceProcess processor;
    static ServiceProcess search;
    static ServiceProcess tracker;
    static ServiceProcess playlist;
    static ServiceProcess notify;
    static ExactlyOnceChecker checker;

    @BeforeAll
    static void startThePipeline() {
        stack = FaultStack.start(dir);
        playlists = dir.resolve("playlists");
        outbox = dir.resolve("outbox");
        processor = stack.service("chart-processor-1", ChartProcessorApplication.class,
                ChartProcessorApplication.CONFIG_NAME);
        search = stack.service("track-search-1", TrackSearchApplication.class, TrackSearchApplication.CONFIG_NAME,
                "--tally.search.adapter=offline", "--tally.search.offline.not-found=" + ChartWorkload.NOT_FOUND,
                "--tally.search.retry.initial-delay=200ms", "--tally.search.retry.max-delay=1s");
        tracker = stack.service("job-tracker-1", JobTrackerApplication.class, JobTrackerApplication.CONFIG_NAME,
                "--tally.tracker.status-interval=200ms");
        playlist = stack.service("playlist-service-1", PlaylistApplication.class, PlaylistApplication.CONFIG_NAME,
                "--tally.playlist.adapter=file", "--tally.playlist.file.output-dir=" + playlists,
                "--tally.playlist.resolve-wait=20s");
        notify = stack.service("notification-service-1", NotificationServiceApplication.class,
                NotificationServiceApplication.CONFIG_NAME, "--tally.notify.outbox-dir=" + outbox,
                "--tally.notify.playlist-wait=30s");
        FaultStack.startAll(List.of(processor, search, tracker, playlist, notify));
        checker = stack.checker(playlists, outbox);
    }

    @AfterAll
    static void stopThePipeline() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void everyJobGetsOneCompletionPlaylistAndNotificationWhenTrackSearchIsKilledMidRun() throws Exception {
        List<Duration> recovery = new ArrayList<>();
        long[] lostAndDuplicated = new long[2];
        for (int run = 1; run <= FaultRun.runs(); run++) {
            // Given K charts being published; When track-search is SIGKILLed a third of the way and restarted
            try (TopicWatcher items = new TopicWatcher(stack.bootstrapServers(), Topics.ITEM_PROCESSED.name())) {
                Instant[] killedAt = new Instant[1];
                Verdict verdict = runBatch("search-r" + run + "-", sent -> sent >= 1, () -> {
                    killedAt[0] = Instant.now();
                    search.kill();
                    search.start().awaitReady(FaultStack.STARTUP);
                });
                recovery.add(items.firstCompletionAfter(killedAt[0]));
                tally(verdict, lostAndDuplicated);
                // Then every job completed once, with one playlist file and one notification
                verdict.assertExactlyOnce();
            }
        }
        FaultRun.figure("Worker crash (track-search)", "SIGKILL the search JVM after the first chart, restart",
                FaultRun.runs(), FaultRun.runs() * FaultRun.jobs(), lostAndDuplicated[0], lostAndDuplicated[1],
                "next ItemProcessed " + worst(recovery));
    }

    @Test
    @Order(2)
    void everyJobGetsExactlyOnePlaylistWhenThePlaylistServiceIsKilledMidCreation() throws Exception {
        List<Duration> recovery = new ArrayList<>();
        long[] lostAndDuplicated = new long[2];
        int killedAfterFile = 0;
        for (int run = 1; run <= FaultRun.runs(); run++) {
            String prefix = "playlist-r" + run + "-";
            try (TopicWatcher made = new TopicWatcher(stack.bootstrapServers(), Topics.PLAYLISTS_CREATED.name())) {
                Instant[] killedAt = new Instant[1];
                boolean[] fileFirst = new boolean[1];
                // Given K charts being published; When the playlist service is SIGKILLed just after its adapter wrote
                // the first playlist file of the batch (before or around its transaction commit), and restarted
                Verdict verdict = runBatch(prefix, sent -> true, () -> {
                    fileFirst[0] = awaitPlaylistFile(prefix, Duration.ofMinutes(2));
                    killedAt[0] = Instant.now();
                    playlist.kill();
                    playlist.start().awaitReady(FaultStack.STARTUP);
                });
                killedAfterFile += fileFirst[0] ? 1 : 0;
                recovery.add(made.firstCompletionAfter(killedAt[0]));
                tally(verdict, lostAndDuplicated);
                // Then there is still exactly one playlist (event and file) per job
                verdict.assertExactlyOnce();
            }
        }
        assertThat(killedAfterFile).as("runs where the kill came after a playlist file was written").isPositive();
        FaultRun.figure("Worker crash (playlist-service)", "SIGKILL the playlist JVM as its first file appears, restart",
                FaultRun.runs(), FaultRun.runs() * FaultRun.jobs(), lostAndDuplicated[0], lostAndDuplicated[1],
                "next PlaylistCreated " + worst(recovery));
    }

    @Test
    @Order(3)
    void nothingIsLostOrDoubledWhenTheBrokerIsStoppedAndStartedMidRun() throws Exception {
        List<Duration> recovery = new ArrayList<>();
        long[] lostAndDuplicated = new long[2];
        for (int run = 1; run <= FaultRun.runs(); run++) {
            try (TopicWatcher completions = new TopicWatcher(stack.bootstrapServers(), Topics.JOB_COMPLETED.name())) {
                Instant[] backAt = new Instant[1];
                // Given K charts being published; When the broker is stopped a third of the way, and started again
                Verdict verdict = runBatch("broker-r" + run + "-", sent -> sent >= Math.max(1, FaultRun.jobs() / 3),
                        () -> {
                            stack.broker.stop();
                            sleep(Duration.ofSeconds(3));
                            stack.broker.restart();
                            backAt[0] = Instant.now();
                        });
                recovery.add(completions.firstCompletionAfter(backAt[0]));
                tally(verdict, lostAndDuplicated);
                // Then everything recovers: every job completed once, one playlist, one notification
                verdict.assertExactlyOnce();
            }
        }
        FaultRun.figure("Broker restart", "graceful stop of the only broker, 3 s down, start on the same data dir",
                FaultRun.runs(), FaultRun.runs() * FaultRun.jobs(), lostAndDuplicated[0], lostAndDuplicated[1],
                "next JobCompleted after restart " + worst(recovery));
    }

    @Test
    @Order(4)
    void duplicatedAndReorderedRecordsOnEveryInputTopicChangeNoOutcome() throws Exception {
        // Given the end offsets before a batch, and the batch run with every chart published twice
        String prefix = "dup-";
        List<String> inputs = List.of(Topics.CHARTS_PUBLISHED.name(), Topics.SEARCH_REQUESTS.name(),
                Topics.TRACKS.name(), Topics.JOB_CREATED.name(), Topics.ITEM_PROCESSED.name(),
                Topics.STAGE_REPORTED.name(), Topics.JOB_COMPLETED.name(), Topics.JOB_STATUS.name());
        Map<TopicPartition, Long> before = endOffsets(inputs);
        ChartWorkload workload = new ChartWorkload(prefix, FaultRun.jobs(), FaultRun.items());
        List<ChartPublished> twice = new ArrayList<>(workload.charts);
        List<ChartPublished> copies = new ArrayList<>(workload.charts);
        java.util.Collections.reverse(copies);
        twice.addAll(copies);
        publish(twice, new AtomicInteger());
        checker.await(workload.expectations, id -> id.startsWith(prefix), SETTLE).assertExactlyOnce();

        // When every record the batch put on any input topic is sent again, in reverse order
        int resent = resendReversed(before, endOffsets(inputs));
        awaitNoLag();

        // Then the outcomes are those of a clean run: one completion, playlist and notification per job
        Verdict verdict = checker.await(workload.expectations, id -> id.startsWith(prefix), SETTLE);
        verdict.assertExactlyOnce();
        assertThat(resent).isGreaterThan(FaultRun.jobs() * FaultRun.items());
        FaultRun.figure("Duplicates and reordering", "each chart twice; then every batch record of 8 input topics "
                + "re-sent in reverse order (" + resent + " records)", 1, FaultRun.jobs(), verdict.missing(),
                verdict.duplicates(), "n/a (no outage)");
    }

    @Test
    @Order(5)
    void poisonRecordsOfEveryKindOnEveryInputTopicAreDeadLetteredWithAReasonAndNotifiedWhileProcessingGoesOn()
            throws Exception {
        // Given four kinds of poison for every input topic of every service
        Map<String, List<TopicSpec<byte[]>>> readers = new LinkedHashMap<>();
        readers.put(Topics.CHARTS_PUBLISHED.name(), List.of(Topics.CHART_PROCESSOR_DLT));
        readers.put(Topics.SEARCH_REQUESTS.name(), List.of(Topics.TRACK_SEARCH_DLT));
        readers.put(Topics.JOB_CREATED.name(), List.of(Topics.JOB_TRACKER_DLT));
        readers.put(Topics.ITEM_PROCESSED.name(), List.of(Topics.JOB_TRACKER_DLT, Topics.NOTIFICATION_SERVICE_DLT));
        readers.put(Topics.STAGE_REPORTED.name(), List.of(Topics.JOB_TRACKER_DLT));
        readers.put(Topics.JOB_COMPLETED.name(), List.of(Topics.PLAYLIST_SERVICE_DLT));
        readers.put(Topics.JOB_STATUS.name(), List.of(Topics.NOTIFICATION_SERVICE_DLT));
        readers.put(Topics.JOB_STALLED.name(), List.of(Topics.NOTIFICATION_SERVICE_DLT));
        Map<String, String> poisonKeys = new LinkedHashMap<>();
        try (KafkaProducer<String, byte[]> raw = stack.rawProducer();
             Serializer<SpecificRecord> avro = stack.serdes.serializer()) {
            for (String topic : readers.keySet()) {
                // Charts also reach playlist-service's global store, which skips what it cannot read
                // (GlobalTablePoisonFaultTest); the charts topic gets every kind too.
                List<String> kinds = List.of("not-avro", "unknown-schema-id", "wrong-type", "missing-data");
                for (String kind : kinds) {
                    String key = "poison-" + kind + "-" + topic;
                    byte[] value = switch (kind) {
                        case "not-avro" -> "{\"this\": \"is json, not avro\"}".getBytes(StandardCharsets.UTF_8);
                        case "unknown-schema-id" -> ByteBuffer.allocate(9).put((byte) 0).putInt(0x7ff0_0001)
                                .put(new byte[] {2, 4, 6, 8}).array();
                        // Registered under its own topic's subject: the registry rightly refuses a PlaylistCreated
                        // schema as a new version of another topic's subject (compatibility rule).
                        case "wrong-type" -> avro.serialize(Topics.PLAYLISTS_CREATED.name(), wrongType(key));
                        default -> avro.serialize(topic, missingData(topic, key));
                    };
                    raw.send(new ProducerRecord<>(topic, key, value));
                    poisonKeys.put(key, topic);
                }
            }
            raw.flush();
        }

        // When a good batch follows the poison
        Verdict verdict = runBatch("after-poison-", sent -> false, () -> { });

        // Then the good batch is processed as usual
        verdict.assertExactlyOnce();
        // And each poison record is on the dead-letter topic of every service that reads its topic, with a reason
        List<String> problems = new ArrayList<>();
        Set<String> expectedNotifications = new java.util.TreeSet<>();
        Map<String, List<ConsumerRecord<String, byte[]>>> deadLetters = new HashMap<>();
        for (TopicSpec<byte[]> dlt : Topics.DEAD_LETTERS) {
            deadLetters.put(dlt.name(), ExactlyOnceChecker.readRaw(stack.bootstrapServers(), dlt.name()));
        }
        int found = 0;
        for (Map.Entry<String, String> poison : poisonKeys.entrySet()) {
            for (TopicSpec<byte[]> dlt : readers.get(poison.getValue())) {
                List<ConsumerRecord<String, byte[]>> letters = deadLetters.get(dlt.name()).stream()
                        .filter(record -> poison.getKey().equals(record.key())).toList();
                if (letters.size() != 1) {
                    problems.add(poison.getKey() + " is " + letters.size() + " times on " + dlt.name());
                    continue;
                }
                found++;
                ConsumerRecord<String, byte[]> letter = letters.get(0);
                String reason = DeadLetterHeaders.reason(letter.headers());
                if (reason == null || reason.isBlank()) {
                    problems.add(poison.getKey() + " on " + dlt.name() + " has no reason");
                }
                // The notification service reads every other service's dead letters; its own would loop.
                if (!dlt.name().equals(Topics.NOTIFICATION_SERVICE_DLT.name())) {
                    expectedNotifications.add("dead-letter:" + dlt.name() + ":" + letter.partition() + ":"
                            + letter.offset());
                }
            }
        }
        // And a dead-letter notification went out for each (exactly once)
        Map<String, Long> notified = awaitNotifications(expectedNotifications);
        expectedNotifications.forEach(id -> {
            long count = notified.getOrDefault(id, 0L);
            if (count != 1) {
                problems.add("notification " + id + " sent " + count + " times");
            }
        });
        assertThat(problems).as("poison handling problems").isEmpty();
        FaultRun.figure("Poison records", poisonKeys.size() + " records (4 kinds on " + (readers.size() - 1)
                        + " input topics, 1 on the charts topic) then a good batch", 1, FaultRun.jobs(), verdict.missing(), verdict.duplicates(),
                found + " dead letters with reason, " + expectedNotifications.size() + " notified");
    }

    @Test
    @Order(6)
    void aRollingSigtermRestartOfTheWorkersMidRunLosesAndDoublesNothing() throws Exception {
        List<String> exits = new ArrayList<>();
        // Given K charts being published; When track-search, then playlist-service get SIGTERM and are started again
        Verdict verdict = runBatch("rolling-", sent -> sent >= 1, () -> {
            for (ServiceProcess service : List.of(search, playlist)) {
                Duration exit = service.terminate(Duration.ofSeconds(30));
                exits.add(service.name() + " " + FaultRun.seconds(exit));
                assertThat(exit).as("%s exited within 30 s; log:\n%s", service.name(), service.tail(40)).isNotNull();
                service.start().awaitReady(FaultStack.STARTUP);
            }
        });

        // Then every job still completes once with one playlist and one notification
        verdict.assertExactlyOnce();
        FaultRun.figure("Graceful restart (rolling)", "SIGTERM + start of track-search, then playlist-service, mid-run",
                1, FaultRun.jobs(), verdict.missing(), verdict.duplicates(), "exits: " + String.join(", ", exits));
    }

    @Test
    @Order(7)
    void sigtermMakesEveryServiceCommitItsWorkAndExitWithinThirtySeconds() throws Exception {
        // Given the pipeline has processed everything
        awaitNoLag();
        List<String> exits = new ArrayList<>();

        // When each service gets SIGTERM
        for (ServiceProcess service : List.of(search, playlist, notify, processor, tracker)) {
            Duration exit = service.terminate(Duration.ofSeconds(30));

            // Then it exits within 30 s
            assertThat(exit).as("%s exited within 30 s; log:\n%s", service.name(), service.tail(40)).isNotNull();
            exits.add(service.name() + " " + FaultRun.seconds(exit));
        }
        // And every group has committed its inputs to the end: a restart would reprocess nothing
        Map<String, Long> lag = lagPerGroup();
        assertThat(lag).allSatisfy((group, behind) -> assertThat(behind).as(group).isZero());
        FaultRun.figure("Graceful shutdown (all services)", "SIGTERM to each service JVM after a run", 1, 0, 0, 0,
                "exits: " + String.join(", ", exits) + "; lag 0");
    }

    /**
     * Publishes a batch of charts spread over a few seconds, runs {@code fault} (in the foreground of the publishing,
     * once {@code trigger} holds for the number of charts sent), and returns the checker's verdict on the batch.
     */
    private static Verdict runBatch(String prefix, java.util.function.IntPredicate trigger, ThrowingRunnable fault)
            throws Exception {
        ChartWorkload workload = new ChartWorkload(prefix, FaultRun.jobs(), FaultRun.items());
        AtomicInteger sent = new AtomicInteger();
        CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> publish(workload.charts, sent));
        boolean faulted = false;
        while (!publishing.isDone() || !faulted) {
            if (!faulted && (trigger.test(sent.get()) || publishing.isDone())) {
                fault.run();
                faulted = true;
            }
            Thread.sleep(20);
        }
        publishing.get(5, TimeUnit.MINUTES);
        Verdict verdict = checker.await(workload.expectations, id -> id.startsWith(prefix), SETTLE);
        FaultRun.log(prefix + " verdict: " + (verdict.ok() ? "ok" : verdict.violations()));
        return verdict;
    }

    private static void publish(List<ChartPublished> charts, AtomicInteger sent) {
        long pause = SEND_SPREAD.toMillis() / Math.max(1, charts.size());
        try (KafkaProducer<String, SpecificRecord> producer = stack.producer()) {
            for (ChartPublished chart : charts) {
                producer.send(new ProducerRecord<>(Topics.CHARTS_PUBLISHED.name(), chart.getSourceKey(), chart)).get();
                sent.incrementAndGet();
                Thread.sleep(pause);
            }
        } catch (Exception e) {
            throw new IllegalStateException("publishing charts failed", e);
        }
    }

    private static boolean awaitPlaylistFile(String prefix, Duration timeout) {
        try {
            // Polled often: the kill must land while the playlist is being created, not after.
            await("a playlist file of " + prefix).atMost(timeout).pollInterval(Duration.ofMillis(10))
                    .ignoreException(java.io.IOException.class) // listing raced a temp file being moved
                    .until(() -> {
                        if (!Files.isDirectory(playlists)) {
                            return false;
                        }
                        try (Stream<Path> files = Files.list(playlists)) {
                            return files.anyMatch(file -> file.getFileName().toString().contains(prefix));
                        }
                    });
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }

    /** Re-sends every record between the offsets, newest first, marked as injected; returns how many. */
    private static int resendReversed(Map<TopicPartition, Long> from, Map<TopicPartition, Long> to) {
        List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>();
        for (String topic : from.keySet().stream().map(TopicPartition::topic).collect(Collectors.toSet())) {
            for (ConsumerRecord<String, byte[]> record : ExactlyOnceChecker.readRaw(stack.bootstrapServers(), topic)) {
                TopicPartition partition = new TopicPartition(topic, record.partition());
                if (record.offset() >= from.getOrDefault(partition, 0L) && record.offset() < to.get(partition)
                        && record.value() != null) {
                    batch.add(record);
                }
            }
        }
        java.util.Collections.reverse(batch);
        try (KafkaProducer<String, byte[]> raw = stack.rawProducer()) {
            for (ConsumerRecord<String, byte[]> record : batch) {
                ProducerRecord<String, byte[]> copy = new ProducerRecord<>(record.topic(), record.partition(),
                        record.key(), record.value(), record.headers());
                copy.headers().add(ExactlyOnceChecker.INJECTED_HEADER, new byte[] {1});
                raw.send(copy);
            }
            raw.flush();
        }
        return batch.size();
    }

    private static Map<TopicPartition, Long> endOffsets(List<String> topics) throws Exception {
        try (Admin admin = stack.admin()) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (var description : admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
                description.partitions().forEach(p ->
                        latest.put(new TopicPartition(description.name(), p.partition()), OffsetSpec.latest()));
            }
            Map<TopicPartition, Long> end = new HashMap<>();
            for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> entry
                    : admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet()) {
                end.put(entry.getKey(), entry.getValue().offset());
            }
            return end;
        }
    }

    /** Records of each group's input topics not yet committed by the group. */
    private static Map<String, Long> lagPerGroup() throws Exception {
        Map<String, Long> lag = new LinkedHashMap<>();
        try (Admin admin = stack.admin()) {
            for (Map.Entry<String, List<String>> group : GROUP_INPUTS.entrySet()) {
                lag.put(group.getKey(), GroupLag.unprocessed(stack.bootstrapServers(), admin, group.getKey(),
                        group.getValue()));
            }
        }
        return lag;
    }

    private static void awaitNoLag() {
        await("no lag in any group").atMost(SETTLE).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(lagPerGroup()).as("lag per group")
                        .allSatisfy((group, behind) -> assertThat(behind).as(group).isZero()));
    }

    private static Map<String, Long> awaitNotifications(Set<String> ids) {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        Map<String, Long> counts = Map.of();
        while (System.nanoTime() < deadline) {
            counts = checker.values(Topics.NOTIFICATIONS_SENT.name(), NotificationSent.class).stream()
                    .filter(sent -> ids.contains(ExactlyOnceChecker.notificationIdOf(sent)))
                    .collect(Collectors.groupingBy(ExactlyOnceChecker::notificationIdOf, Collectors.counting()));
            if (counts.keySet().containsAll(ids)) {
                sleep(Duration.ofSeconds(3));
                return checker.values(Topics.NOTIFICATIONS_SENT.name(), NotificationSent.class).stream()
                        .filter(sent -> ids.contains(ExactlyOnceChecker.notificationIdOf(sent)))
                        .collect(Collectors.groupingBy(ExactlyOnceChecker::notificationIdOf, Collectors.counting()));
            }
            sleep(Duration.ofSeconds(1));
        }
        return counts;
    }

    /** A valid record of a type no input topic carries. */
    private static SpecificRecord wrongType(String key) {
        return PlaylistCreated.newBuilder().setJobId(key).setSourceRef("faults/wrong").setPlaylistId("p").setTitle("t")
                .setUrl("file:///nowhere").setEntryCount(0).setSkippedCount(0).setAdapter("file")
                .setCreatedAt(Instant.now()).build();
    }

    /** A record of the right type that its consumer must reject: a blank id or data the contract requires. */
    private static SpecificRecord missingData(String topic, String key) {
        Instant now = Instant.now();
        if (topic.equals(Topics.CHARTS_PUBLISHED.name())) {
            return ChartPublished.newBuilder().setSourceKey(key).setJobId("").setTriggerId("t").setPipeline("")
                    .setChartName("c").setChartDate(LocalDate.of(2026, 11, 23)).setTracks(List.of())
                    .setPublishedAt(now).build();
        }
        if (topic.equals(Topics.SEARCH_REQUESTS.name())) {
            return TrackSearchRequested.newBuilder().setJobId("").setTrackKey(key).setArtists(List.of())
                    .setTitle("").setRequestedAt(now).build();
        }
        if (topic.equals(Topics.JOB_CREATED.name())) {
            return JobCreated.newBuilder().setJobId("").setPipeline("p").setSourceRef("s").setExpectedCount(1)
                    .setCreatedAt(now).build();
        }
        if (topic.equals(Topics.ITEM_PROCESSED.name())) {
            return ItemProcessed.newBuilder().setJobId("").setItemId("").setOutcome(ItemOutcome.SUCCEEDED)
                    .setProcessedAt(now).build();
        }
        if (topic.equals(Topics.STAGE_REPORTED.name())) {
            return StageReported.newBuilder().setJobId("").setStage("search").setState(StageState.RUNNING)
                    .setReportedAt(now).build();
        }
        if (topic.equals(Topics.JOB_COMPLETED.name())) {
            return JobCompleted.newBuilder().setJobId(key).setPipeline(ChartWorkload.PIPELINE).setSourceRef("")
                    .setState(JobState.COMPLETED).setExpectedCount(0).setSucceededCount(0).setFailedCount(0)
                    .setCreatedAt(now).setCompletedAt(now).build();
        }
        if (topic.equals(Topics.JOB_STATUS.name())) {
            return JobStatus.newBuilder().setJobId("").setState(JobState.COMPLETED).setSucceededCount(0)
                    .setFailedCount(0).setSkippedCount(0).setFirstSeenAt(now).setLastProgressAt(now).setUpdatedAt(now)
                    .build();
        }
        if (topic.equals(Topics.JOB_STALLED.name())) {
            return JobStalled.newBuilder().setJobId("").setProcessedCount(0).setLastProgressAt(now).setStalledAt(now)
                    .setReason("injected").build();
        }
        throw new IllegalArgumentException(topic);
    }

    private static void tally(Verdict verdict, long[] lostAndDuplicated) {
        lostAndDuplicated[0] += verdict.missing();
        lostAndDuplicated[1] += verdict.duplicates();
    }

    private static String worst(List<Duration> durations) {
        return FaultRun.seconds(durations.stream().filter(java.util.Objects::nonNull).max(Duration::compareTo)
                .orElse(null));
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A fault step that may throw. */
    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
