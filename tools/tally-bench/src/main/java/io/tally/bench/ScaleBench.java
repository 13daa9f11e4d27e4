package io.tally.bench;

import io.tally.common.topics.Topics;
import io.tally.localruntime.LocalStack;
import io.tally.localruntime.ServiceProcess;
import io.tally.jobtracker.JobTrackerApplication;
import io.tally.events.ItemOutcome;
import io.tally.events.ItemProcessed;
import io.tally.events.JobCompleted;
import io.tally.events.JobCreated;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Item 6 of the bench, on job-tracker processes started as deployed: the state size and resident memory with
 * {@code openJobs} jobs open at once, the time a fresh instance takes to restore that state and process again, and
 * the failover time when the active instance is killed (SIGKILL) while a second instance keeps a standby replica,
 * {@link #FULL_FAILOVER_RUNS} times in a full run (the killed instance comes back with its state directory between
 * runs). Both times are measured with probe jobs on every partition: readiness alone would not show it, because Kafka
 * Streams restores in a background thread and reports RUNNING before restoration ends. Known gap: the failover time
 * covers every partition, not only those that moved; the others go on processing, so the slowest moved one decides.
 */
final class ScaleBench {

    static final String MAX_HEAP = "256m";
    static final Duration PROBE_EVERY = Duration.ofMillis(250);
    /** The failover runs of a full bench run: one run says little, the slow tail is what a target must cover. */
    static final int FULL_FAILOVER_RUNS = 5;
    private static final String[] INSTANCES = {"tracker-b", "tracker-c"};
    /** The shipped settings that decide the failover time, reported with it (ADR 0022). */
    private static final List<String> FAILOVER_SETTINGS = List.of("group.protocol", "session.timeout.ms",
            "heartbeat.interval.ms", "producer.transaction.timeout.ms");

    /** {@code failoverSec} is the slowest of the failover runs. */
    record Result(Map<String, Object> figures, long rssBytes, double failoverSec, List<String> problems) {
    }

    private final BenchEnvironment env;
    private final Admin admin;
    private int measurements;

    ScaleBench(BenchEnvironment env, Admin admin) {
        this.env = env;
        this.admin = admin;
    }

    Result run(int openJobs, int failoverRuns) {
        String appId = "tally-bench-scale-" + env.runId();
        Path dir = env.workDir().resolve("scale");
        Map<String, Object> figures = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        long rss = -1;
        double failover = Double.NaN;
        figures.put("openJobs", openJobs);
        figures.put("maxHeap", MAX_HEAP);
        Map<String, Object> shipped = TrackerSettings.streamsProperties();
        for (String setting : FAILOVER_SETTINGS) {
            figures.put(setting, shipped.getOrDefault(setting, "default"));
        }
        Loaded loaded = load(appId, dir, openJobs, figures);
        rss = loaded.rssBytes();
        Map<String, ServiceProcess> trackers = new LinkedHashMap<>();
        ServiceProcess[] restoring = new ServiceProcess[1];
        try {
            double restoreSec = restore(appId, dir, restoring, figures, problems);
            trackers.put(INSTANCES[0], restoring[0]);
            trackers.put(INSTANCES[1], tracker(INSTANCES[1], appId, dir));
            startAndAwaitReady(trackers.get(INSTANCES[1]));
            double catchUpSec = Math.max(2, restoreSec - loaded.emptyStartSec());
            if (failoverRuns < FULL_FAILOVER_RUNS) {
                env.say("scale: %d failover run(s), not the full run's %d", failoverRuns, FULL_FAILOVER_RUNS);
            }
            List<Double> failovers = new ArrayList<>();
            for (int run = 1; run <= failoverRuns; run++) {
                awaitStandbyCaughtUp(catchUpSec);
                String victim = mostActive(appId, trackers.keySet());
                double seconds = untilEveryPartitionProcesses(trackers.get(victim)::kill, problems);
                failovers.add(round(seconds));
                env.say("scale: failover %d/%d: killed %s (the active instance); every partition processed again "
                        + "after %.1f s", run, failoverRuns, victim, seconds);
                if (run < failoverRuns) {
                    // Back with its state directory and instance id, as a StatefulSet pod; it becomes the standby.
                    startAndAwaitReady(trackers.get(victim));
                }
            }
            failover = failovers.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
            figures.put("failoverWithStandbyRunsSec", failovers);
            figures.put("failoverWithStandbySec", round(failover));
            env.say("scale: failover with a standby, %d run(s): %s s, max %.1f s", failoverRuns, failovers, failover);
        } catch (BenchEnvironment.BenchFailure | IllegalStateException e) {
            problems.add("scale: " + e.getMessage());
        } finally {
            if (restoring[0] != null) {
                trackers.putIfAbsent(INSTANCES[0], restoring[0]);
            }
            trackers.values().forEach(ServiceProcess::close);
        }
        return new Result(figures, rss, failover, problems);
    }

    /**
     * One point of the open-jobs cost curve (issue 16): the load and restore parts of {@link #run}, without the
     * standby and the failover, under an application id and directory of its own so that sizes can follow each other
     * (on emptied topics). The state directory is deleted afterwards: at 5,000,000 jobs it is about a gigabyte.
     */
    Map<String, Object> loadAndRestore(String label, int openJobs, List<String> problems) {
        String appId = "tally-bench-" + label + "-" + env.runId();
        Path dir = env.workDir().resolve(label);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("openJobs", openJobs);
        ServiceProcess[] fresh = new ServiceProcess[1];
        try {
            load(appId, dir, openJobs, figures);
            restore(appId, dir, fresh, figures, problems);
        } catch (BenchEnvironment.BenchFailure | IllegalStateException e) {
            problems.add(label + ": " + e.getMessage());
        } finally {
            if (fresh[0] != null) {
                fresh[0].close();
            }
            LocalStack.deleteRecursively(dir);
        }
        return figures;
    }

    /** What loading the open jobs left behind for the restore and failover parts. */
    private record Loaded(double emptyStartSec, long rssBytes) {
    }

    /**
     * Starts tracker-a on an empty state directory, creates {@code openJobs} open jobs and waits until it consumed
     * them; RSS while it runs, state on disk after a clean stop.
     */
    private Loaded load(String appId, Path dir, int openJobs, Map<String, Object> figures) {
        try (ServiceProcess first = tracker("tracker-a", appId, dir)) {
            double emptyStart = startAndAwaitReady(first);
            figures.put("emptyStartSec", round(emptyStart));
            env.say("scale: tracker-a ready in %.1f s (empty state)", emptyStart);

            long producing = System.nanoTime();
            produceOpenJobs(openJobs);
            awaitConsumed(appId, Topics.JOB_CREATED.name());
            double loadSec = (System.nanoTime() - producing) / 1e9;
            long rss = residentBytes(first.pid());
            figures.put("loadSec", round(loadSec));
            figures.put("rssBytes", rss);
            figures.put("rssMiB", rss / (1024 * 1024));
            // After a clean stop: until then much of the state can sit in RocksDB memtables, not in files.
            first.terminate(Duration.ofSeconds(60));
            long state = directoryBytes(dir.resolve("tracker-a"));
            figures.put("stateBytes", state);
            figures.put("stateMiB", state / (1024 * 1024));
            env.say("scale: %d open jobs loaded in %.1f s; RSS %d MiB, state on disk %d MiB", openJobs, loadSec,
                    rss / (1024 * 1024), state / (1024 * 1024));
            return new Loaded(emptyStart, rss);
        }
    }

    /**
     * A fresh instance (empty state directory) must restore every job before it can process: measured as the time
     * from its start until a probe job on every partition has completed. The instance is left in {@code started[0]},
     * running, for the caller to use and close.
     */
    private double restore(String appId, Path dir, ServiceProcess[] started, Map<String, Object> figures,
                           List<String> problems) {
        double[] readySec = {0};
        double restoreSec = untilEveryPartitionProcesses(() -> {
            started[0] = tracker(INSTANCES[0], appId, dir);
            readySec[0] = startAndAwaitReady(started[0]);
        }, problems);
        figures.put("freshInstanceReadySec", round(readySec[0]));
        figures.put("restoreUntilProcessingSec", round(restoreSec));
        env.say("scale: a fresh instance was ready in %.1f s and processed on every partition after %.1f s",
                readySec[0], restoreSec);
        return restoreSec;
    }

    /**
     * A job-tracker JVM as deployed (Spring Boot, its job-tracker.yml with its failover settings, full JIT), one
     * standby replica, its own state directory, static member id and client id (to tell the members apart).
     */
    private ServiceProcess tracker(String name, String appId, Path dir) {
        return ServiceProcess.builder(name, JobTrackerApplication.class.getName())
                .workDir(dir)
                .maxHeap(MAX_HEAP)
                .quickStart(false)
                .args("--spring.kafka.bootstrap-servers=" + env.bootstrap(),
                        "--tally.kafka.registry-url=" + env.registryUrl(),
                        "--spring.kafka.streams.application-id=" + appId,
                        "--spring.kafka.streams.state-dir=" + dir.resolve(name),
                        "--spring.kafka.streams.properties.num.standby.replicas=1",
                        "--spring.kafka.streams.properties.group.instance.id=" + appId + "-" + name,
                        "--spring.kafka.streams.client-id=" + appId + "-" + name,
                        "--spring.kafka.streams.properties.replication.factor=1",
                        "--spring.main.banner-mode=off",
                        "--logging.level.root=WARN")
                .build();
    }

    /** Starts the process; seconds until its readiness probe (Kafka Streams RUNNING) answers 200. */
    private double startAndAwaitReady(ServiceProcess tracker) {
        long started = System.nanoTime();
        tracker.start().awaitReady(env.timeout());
        return (System.nanoTime() - started) / 1e9;
    }

    private static long sessionTimeoutMs() {
        return Long.parseLong(String.valueOf(TrackerSettings.streamsProperties()
                .getOrDefault("session.timeout.ms", "45000")));
    }

    /**
     * The instance that runs the most active tasks, from the (classic) group's assignment (a member's client id
     * starts with the instance's): after a failover the survivor holds them all and the restarted one only standbys.
     */
    private String mostActive(String appId, Collection<String> names) {
        long deadline = System.nanoTime() + env.timeout().toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, Integer> active = new HashMap<>();
            try {
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(appId)).all()
                        .get(30, TimeUnit.SECONDS).get(appId);
                if (group.groupState() == GroupState.STABLE) {
                    group.members().forEach(member -> active.merge(member.clientId(), (int) member.assignment()
                            .topicPartitions().stream().filter(tp -> tp.topic().equals(Topics.JOB_CREATED.name()))
                            .count(), Integer::sum));
                }
            } catch (Exception e) {
                // Not described yet (the group is rebalancing, or the broker is slow): asked again below.
            }
            for (Map.Entry<String, Integer> member : active.entrySet().stream()
                    .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).toList()) {
                for (String name : names) {
                    if (member.getValue() > 0 && member.getKey().startsWith(appId + "-" + name)) {
                        return name;
                    }
                }
            }
            BenchEnvironment.sleep(500);
        }
        throw new BenchEnvironment.BenchFailure("no tracker instance held active tasks within " + env.timeout());
    }

    /** Resident set size from /proc (Linux), in bytes: heap, metaspace, threads and RocksDB's native memory. */
    private static long residentBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
            return -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private static long directoryBytes(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(path -> path.toFile().length()).sum();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    private void produceOpenJobs(int openJobs) {
        Instant now = Instant.now();
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(
                env.bulkProducerConfig("tally-bench-scale"), new StringSerializer(), env.serdes().serializer())) {
            for (int j = 0; j < openJobs; j++) {
                String jobId = String.format(Locale.ROOT, "open-%s-%08d", env.runId(), j);
                // Expecting items that never come: the job stays open, as a long-running job would.
                producer.send(new ProducerRecord<>(Topics.JOB_CREATED.name(), jobId, JobCreated.newBuilder()
                        .setJobId(jobId).setPipeline("bench-scale").setSourceRef(jobId).setExpectedCount(10)
                        .setCountedStage("items").setStages(List.of("items")).setCreatedAt(now).build()),
                        (metadata, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("producing the open jobs failed", failure.get());
        }
    }

    /** Until the application's committed offsets reach the end of {@code topic}: everything in it was processed. */
    private void awaitConsumed(String appId, String topic) {
        long deadline = System.nanoTime() + env.timeout().toNanos();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        IntStream.range(0, Topics.JOB_PARTITIONS).forEach(p -> latest.put(new TopicPartition(topic, p), OffsetSpec.latest()));
        try {
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
            while (System.nanoTime() < deadline) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(appId)
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                boolean done = ends.entrySet().stream().allMatch(end -> {
                    OffsetAndMetadata offset = committed.get(end.getKey());
                    return end.getValue() == 0 || offset != null && offset.offset() >= end.getValue();
                });
                if (done) {
                    return;
                }
                BenchEnvironment.sleep(500);
            }
        } catch (Exception e) {
            throw new BenchEnvironment.BenchFailure("could not read the tracker's progress: " + e);
        }
        throw new BenchEnvironment.BenchFailure("the tracker did not consume " + topic + " within " + env.timeout());
    }

    /**
     * A new instance restores its standby tasks from the changelogs in the background, and nothing outside the
     * process shows when it has caught up; twice the time a fresh instance needed to restore everything, plus the
     * detection time, is the margin used.
     */
    private void awaitStandbyCaughtUp(double restoreSec) {
        long millis = Math.round(2_000 * restoreSec) + sessionTimeoutMs();
        env.say("scale: giving the standby %.1f s to catch up", millis / 1e3);
        BenchEnvironment.sleep(millis);
    }

    /**
     * Probe jobs (one item each) go to every partition every {@link #PROBE_EVERY}; then {@code action} runs (a kill,
     * a start); the result is the time from the action until, on every partition, a probe sent after the action
     * start has completed.
     */
    private double untilEveryPartitionProcesses(Runnable action, List<String> problems) {
        int partitions = Topics.JOB_PARTITIONS;
        String[] keys = probeKeys(partitions, ++measurements);
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Map<String, Integer> partitionOf = new ConcurrentHashMap<>();
        AtomicBoolean sending = new AtomicBoolean(true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread prober = new Thread(() -> probe(keys, sentAt, partitionOf, sending, failure), "tally-bench-prober");
        prober.setDaemon(true);
        long actionAt;
        long[] processedAt = new long[partitions];
        try (KafkaConsumer<String, JobCompleted> reader = StreamsRun.committedReaderAtEnd(env, "probes",
                Topics.JOB_COMPLETED.name(), env.serdes().deserializer(JobCompleted.class))) {
            prober.start();
            long warmUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < warmUntil) {
                reader.poll(Duration.ofMillis(20));
            }
            actionAt = System.nanoTime();
            action.run();
            long deadline = actionAt + env.timeout().toNanos();
            int done = 0;
            while (done < partitions && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, JobCompleted> record : reader.poll(Duration.ofMillis(20))) {
                    Long sent = sentAt.get(record.key());
                    int partition = partitionOf.getOrDefault(record.key(), -1);
                    if (sent != null && sent > actionAt && partition >= 0 && processedAt[partition] == 0) {
                        processedAt[partition] = System.nanoTime();
                        done++;
                    }
                }
            }
            if (done < partitions) {
                problems.add("scale: only " + done + " of " + partitions + " partitions processed within "
                        + env.timeout());
            }
        } finally {
            sending.set(false);
        }
        if (failure.get() != null) {
            problems.add("scale: probe failed: " + failure.get());
        }
        long last = java.util.Arrays.stream(processedAt).max().orElse(0);
        return last == 0 ? Double.NaN : (last - actionAt) / 1e9;
    }

    private void probe(String[] keys, Map<String, Long> sentAt, Map<String, Integer> partitionOf,
                       AtomicBoolean sending, AtomicReference<Throwable> failure) {
        Instant now = Instant.now();
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(
                env.promptProducerConfig("tally-bench-prober"), new StringSerializer(), env.serdes().serializer())) {
            for (int round = 0; sending.get(); round++) {
                for (int p = 0; p < keys.length; p++) {
                    String jobId = keys[p] + "-" + round;
                    partitionOf.put(jobId, p);
                    sentAt.put(jobId, System.nanoTime());
                    producer.send(new ProducerRecord<>(Topics.JOB_CREATED.name(), p, jobId, JobCreated.newBuilder()
                            .setJobId(jobId).setPipeline("bench-probe").setSourceRef(jobId).setExpectedCount(1)
                            .setCountedStage("items").setStages(List.of("items")).setCreatedAt(now).build()));
                    producer.send(new ProducerRecord<>(Topics.ITEM_PROCESSED.name(), p, jobId, ItemProcessed.newBuilder()
                            .setJobId(jobId).setItemId("probe").setOutcome(ItemOutcome.SUCCEEDED).setAttempt(1)
                            .setProcessedAt(now).build()));
                }
                BenchEnvironment.sleep(PROBE_EVERY.toMillis());
            }
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        }
    }

    /**
     * One key prefix per partition and measurement; the partition is also set explicitly, so both topics agree. A
     * measurement must not reuse an earlier one's job ids: the tracker ignores a JobCreated of a job it already
     * completed, so its probes would complete nothing until their round numbers passed the earlier ones'.
     */
    private String[] probeKeys(int partitions, int measurement) {
        String[] keys = new String[partitions];
        for (int p = 0; p < partitions; p++) {
            keys[p] = "probe-" + env.runId() + "-m" + measurement + "-p" + p;
        }
        return keys;
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
