package io.tally.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.events.TaskResult;
import io.tally.events.WorkerHeartbeat;
import io.tally.events.WorkerStatus;
import io.tally.localruntime.KafkaBrokerProcess;
import io.tally.localruntime.SchemaRegistryProcess;
import io.tally.localruntime.ServiceProcess;
import io.tally.poolworker.PoolWorkerApplication;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.TaskRequests;
import io.tally.worker.ratelimit.ConsumerGroupSize;
import io.tally.worker.ratelimit.GroupAwareJitter;
import io.tally.worker.testtasks.EchoInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Seed 002's worker pool with two worker JVMs ({@link PoolWorkerApplication}) on a real broker process and the
 * registry: heartbeats, leader-only work with take-over after SIGKILL and SIGTERM, session recovery with static
 * membership, and the drain on SIGTERM. The tests share the two workers and run in order, to start few JVMs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkerPoolProcessTest {

    private static final Duration STARTUP = Duration.ofMinutes(3);
    private static final Duration LEADER_SESSION = Duration.ofSeconds(6);
    private static final String GROUP = "tally-worker-" + PoolWorkerApplication.TASK_TYPE;

    private Path dir;
    private KafkaBrokerProcess broker;
    private AvroSerdes serdes;
    private KafkaTestClient kafka;
    private Path leaderLog;
    private final Map<String, ServiceProcess> workers = new java.util.LinkedHashMap<>();

    @BeforeAll
    void startBrokerAndTwoWorkers() throws Exception {
        dir = Files.createTempDirectory("tally-pool-");
        Path logs = Path.of("target", "pool-logs").toAbsolutePath();
        broker = KafkaBrokerProcess.builder().dataDir(dir.resolve("kafka")).logFile(logs.resolve("broker.log"))
                .maxHeap("512m").start();
        SchemaRegistryProcess registry = SchemaRegistryProcess.shared();
        serdes = AvroSerdes.forRegistry(registry.registryV2Url(), true);
        kafka = new KafkaTestClient(broker.bootstrapServers(), serdes);
        try (Admin admin = admin()) {
            admin.createTopics(Topics.newTopics(4, (short) 1)).all().get(60, TimeUnit.SECONDS);
        }
        leaderLog = dir.resolve("leader.log");
        for (String id : List.of("w1", "w2")) {
            workers.put(id, ServiceProcess.builder(id, PoolWorkerApplication.class.getName()).workDir(logs)
                    .env("HOSTNAME", id)
                    .args("--spring.application.name=pool-worker",
                            "--spring.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                            "--tally.kafka.registry-url=" + registry.registryV2Url(),
                            "--tally.kafka.partitions=4",
                            "--tally.worker.create-topics=true",
                            "--tally.worker.instance-id=" + id,
                            "--tally.worker.heartbeat-interval=1s",
                            "--tally.worker.leader-session-timeout=" + LEADER_SESSION.toSeconds() + "s",
                            "--tally.worker.drain-timeout=20s",
                            "--pool-test.leader-log=" + leaderLog,
                            "--management.endpoint.health.probes.enabled=true",
                            "--spring.main.banner-mode=off")
                    .build());
        }
        workers.values().forEach(ServiceProcess::start);
        workers.values().stream().map(w -> CompletableFuture.runAsync(() -> w.awaitReady(STARTUP))).toList()
                .forEach(CompletableFuture::join);
        // Both are members of the task group and one leads before any test looks.
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> assignment().size() == 2 && leader() != null);
    }

    @AfterAll
    void stopAll() {
        workers.values().forEach(ServiceProcess::close);
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    @Order(0)
    void theRateLimitJitterWidensWithTheTwoWorkersOfTheGroup() {
        // Given the two workers' task group on the broker, counted the way the SDK's throttle counts it
        try (ConsumerGroupSize members = new ConsumerGroupSize(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers()), GROUP, Duration.ofMinutes(1))) {
            GroupAwareJitter jitter = new GroupAwareJitter(Duration.ofMillis(50), members);

            // When jitters are drawn
            List<Duration> drawn = java.util.stream.IntStream.range(0, 200).mapToObj(i -> jitter.next()).toList();

            // Then the group counts two members and the jitters spread over two members' window, past one member's
            assertThat(members.getAsInt()).isEqualTo(2);
            assertThat(drawn).allSatisfy(d -> assertThat(d).isLessThan(Duration.ofMillis(100)))
                    .anySatisfy(d -> assertThat(d).isGreaterThanOrEqualTo(Duration.ofMillis(50)));
        }
    }

    @Test
    @Order(1)
    void heartbeatShowsBusyWithTheCurrentTaskWhileASlowTaskRuns() {
        // Given two idle workers
        // When a task that works 4 s is sent
        String taskId = send(4_000);

        // Then one worker's heartbeat says BUSY with that task and since when, and later IDLE again with one more success
        WorkerHeartbeat busy = awaitHeartbeat(hb -> hb.getStatus() == WorkerStatus.BUSY
                && taskId.equals(hb.getCurrentTask()), Duration.ofSeconds(30));
        assertThat(busy.getCurrentTaskSince()).isNotNull().isBeforeOrEqualTo(busy.getHeartbeatAt());
        assertThat(busy.getTaskTypes()).containsExactly(PoolWorkerApplication.TASK_TYPE);
        assertThat(busy.getService()).isEqualTo("pool-worker");
        assertThat(busy.getHeartbeatIntervalMs()).isEqualTo(1000);
        String worker = busy.getInstanceId();
        WorkerHeartbeat idle = awaitHeartbeat(hb -> hb.getInstanceId().equals(worker)
                && hb.getStatus() == WorkerStatus.IDLE && hb.getCurrentTask() == null
                && hb.getHeartbeatAt().isAfter(busy.getHeartbeatAt()), Duration.ofSeconds(30));
        assertThat(idle.getTasksSucceeded()).isGreaterThan(busy.getTasksSucceeded());
    }

    @Test
    @Order(2)
    void exactlyOneWorkerRunsTheLeaderWorkAndItsHeartbeatSaysSo() throws Exception {
        // Given two workers with the same leader-only role
        String leader = leader();
        Instant from = Instant.now();

        // When the role's work runs for 3 s
        Thread.sleep(3_000);

        // Then every run in that window came from one instance, and only its heartbeat names the role
        assertThat(leaderRuns(from)).isNotEmpty().allSatisfy(run -> assertThat(run.instance()).isEqualTo(leader));
        String other = other(leader);
        assertThat(awaitHeartbeat(hb -> hb.getInstanceId().equals(leader), Duration.ofSeconds(10)).getLeaderOf())
                .containsExactly(PoolWorkerApplication.ROLE);
        assertThat(latest(other).getLeaderOf()).isEmpty();
    }

    @Test
    @Order(3)
    void aSigkilledLeaderIsReplacedAfterTheLeaderSessionAndARestartResumesItsSessionWithoutRebalancing() throws Exception {
        // Given the leader, its last heartbeat, and the other member's task partitions
        String leader = leader();
        String other = other(leader);
        sendQuick(4);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> latest(leader).getStatus() == WorkerStatus.IDLE);
        Map<String, Set<TopicPartition>> before = assignment();

        // When the leader is SIGKILLed
        Instant killed = Instant.now();
        workers.get(leader).kill();
        WorkerHeartbeat lastBeforeCrash = latest(leader);

        // Then the other takes the role after about the leader session timeout
        Duration takeover = awaitLeaderRun(other, killed, Duration.ofSeconds(40));
        System.out.printf("FIGURE takeover after SIGKILL: %d ms (leader session timeout %d s)%n", takeover.toMillis(),
                LEADER_SESSION.toSeconds());
        // The coordinator counts the session from the leader's last heartbeat, which can precede the kill by up to
        // one heartbeat interval (a fifth of the session, LeaderTask): earlier than that, it did not wait at all.
        Duration earliest = LEADER_SESSION.minus(LEADER_SESSION.dividedBy(5)).minusMillis(300);
        assertThat(takeover).isGreaterThanOrEqualTo(earliest).isLessThan(Duration.ofSeconds(30));

        // And when the killed worker comes back with the same instance id within the static session timeout
        Instant restarted = Instant.now();
        workers.get(leader).start().awaitReady(STARTUP);

        // Then it resumed its session: same session start, counters carried on, a new process start
        WorkerHeartbeat resumed = awaitHeartbeat(hb -> hb.getInstanceId().equals(leader)
                && hb.getStartedAt().isAfter(restarted), Duration.ofSeconds(60));
        assertThat(resumed.getSessionStartedAt()).isEqualTo(lastBeforeCrash.getSessionStartedAt());
        assertThat(resumed.getTasksSucceeded()).isGreaterThanOrEqualTo(lastBeforeCrash.getTasksSucceeded());
        assertThat(workers.get(leader).tail(400)).contains("resumed session of " + leader);
        // And static membership kept the group as it was: the other member's partitions never moved
        String otherMember = memberOf(other, before);
        assertThat(before.get(otherMember)).isNotEmpty();
        assertThat(assignment()).containsEntry(otherMember, before.get(otherMember));
    }

    @Test
    @Order(4)
    void aSigtermedLeaderHandsTheRoleOverWithinSeconds() throws Exception {
        // Given the current leader
        String leader = leader();
        String other = other(leader);

        // When it is stopped with SIGTERM
        Instant signalled = Instant.now();
        Duration exit = workers.get(leader).terminate(Duration.ofSeconds(40));

        // Then it left the role's group on its way out, so the other runs the work within seconds
        Duration takeover = awaitLeaderRun(other, signalled, Duration.ofSeconds(20));
        System.out.printf("FIGURE takeover after SIGTERM: %d ms (exit took %s)%n", takeover.toMillis(), exit);
        assertThat(takeover).isLessThan(LEADER_SESSION);
        assertThat(latest(leader).getLeaderOf()).isEmpty();
        workers.get(leader).start().awaitReady(STARTUP);
    }

    @Test
    @Order(5)
    void aSigtermedBusyWorkerDrainsItsTaskWritesItOnceAndStartsNothingNew() throws Exception {
        // Given a settled pool: the worker restarted by the previous test is back in the task group with its
        // partitions. A rebalance that moves a running task's partition redelivers that task (at-least-once), which
        // is not what this test is about.
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(
                () -> assignment().values().stream().filter(partitions -> !partitions.isEmpty()).count() == 2);
        // And a worker busy with an 8 s task and quick tasks queued behind it
        String slow = send(8_000);
        WorkerHeartbeat busy = awaitHeartbeat(hb -> slow.equals(hb.getCurrentTask()), Duration.ofSeconds(30));
        String worker = busy.getInstanceId();
        List<String> queued = sendQuick(6);

        // When it is sent SIGTERM while the task runs
        Instant signalled = Instant.now();
        Duration drain = workers.get(worker).terminate(Duration.ofSeconds(40));
        System.out.printf("FIGURE drain: SIGTERM to exit %d ms, the task had %d ms left%n", drain.toMillis(),
                Duration.between(signalled, busy.getCurrentTaskSince().plusMillis(8_000)).toMillis());

        // Then its heartbeats went DRAINING, then STOPPED, the last one
        List<WorkerStatus> after = heartbeats().stream().map(ConsumerRecord::value)
                .filter(hb -> hb.getInstanceId().equals(worker) && !hb.getHeartbeatAt().isBefore(signalled))
                .map(WorkerHeartbeat::getStatus).distinct().toList();
        assertThat(after).containsSubsequence(WorkerStatus.DRAINING, WorkerStatus.STOPPED).endsWith(WorkerStatus.STOPPED);
        // And the running task ended with one result, written by it
        List<TaskResult> results = results();
        assertThat(results).filteredOn(r -> r.getTaskId().equals(slow)).singleElement()
                .satisfies(r -> assertThat(r.getWorker()).isEqualTo(worker));
        // And every queued task was done, the drained worker starting none after the signal
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> results().stream()
                .map(TaskResult::getTaskId).collect(java.util.stream.Collectors.toSet()).containsAll(queued));
        assertThat(results()).filteredOn(r -> r.getWorker().equals(worker))
                .allSatisfy(r -> assertThat(r.getStartedAt()).isBefore(signalled));
        assertThat(results()).filteredOn(r -> queued.contains(r.getTaskId()))
                .extracting(TaskResult::getTaskId).doesNotHaveDuplicates();
    }

    private String send(long sleepMillis) {
        return new TaskRequests(kafka, serdes).send(PoolWorkerApplication.TASK_TYPE, TaskRequests.newJob(), "fetch",
                null, 1, EchoInput.newBuilder().setText("work").setSleepMillis(sleepMillis).build());
    }

    private List<String> sendQuick(int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(send(0));
        }
        return ids;
    }

    private List<TaskResult> results() {
        return kafka.readAll(Topics.TASK_RESULTS.name(), TaskResult.class, Duration.ofSeconds(30)).stream()
                .map(ConsumerRecord::value).toList();
    }

    private List<ConsumerRecord<String, WorkerHeartbeat>> heartbeats() {
        return kafka.readAll(Topics.WORKER_HEARTBEATS.name(), WorkerHeartbeat.class, Duration.ofSeconds(30));
    }

    private WorkerHeartbeat latest(String instance) {
        return heartbeats().stream().map(ConsumerRecord::value).filter(hb -> hb.getInstanceId().equals(instance))
                .reduce((a, b) -> b).orElseThrow();
    }

    private WorkerHeartbeat awaitHeartbeat(java.util.function.Predicate<WorkerHeartbeat> match, Duration timeout) {
        return Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(300))
                .until(() -> heartbeats().stream().map(ConsumerRecord::value).filter(match).reduce((a, b) -> b)
                        .orElse(null), hb -> hb != null);
    }

    private record LeaderRun(String instance, Instant at) {
    }

    private List<LeaderRun> leaderRuns(Instant from) throws IOException {
        if (!Files.exists(leaderLog)) {
            return List.of();
        }
        return Files.readAllLines(leaderLog).stream().map(line -> line.split(" "))
                .filter(parts -> parts.length == 2)
                .map(parts -> new LeaderRun(parts[0], Instant.ofEpochMilli(Long.parseLong(parts[1]))))
                .filter(run -> !run.at().isBefore(from)).toList();
    }

    /** The instance that ran the leader work in the last second, or null. */
    private String leader() throws IOException {
        List<LeaderRun> recent = leaderRuns(Instant.now().minusSeconds(1));
        return recent.isEmpty() ? null : recent.get(recent.size() - 1).instance();
    }

    private Duration awaitLeaderRun(String instance, Instant since, Duration timeout) {
        LeaderRun first = Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(100))
                .until(() -> leaderRuns(since).stream().filter(run -> run.instance().equals(instance)).findFirst()
                        .orElse(null), run -> run != null);
        return Duration.between(since, first.at());
    }

    private String other(String instance) {
        return workers.keySet().stream().filter(id -> !id.equals(instance)).findFirst().orElseThrow();
    }

    /** The task group's members by static instance id, with their partitions. */
    private Map<String, Set<TopicPartition>> assignment() throws Exception {
        try (Admin admin = admin()) {
            Map<String, Set<TopicPartition>> members = new java.util.HashMap<>();
            for (MemberDescription member : admin.describeConsumerGroups(List.of(GROUP)).all().get(10, TimeUnit.SECONDS)
                    .get(GROUP).members()) {
                members.put(member.groupInstanceId().orElse(member.consumerId()),
                        new HashSet<>(member.assignment().topicPartitions()));
            }
            return members;
        }
    }

    /** The static member id of {@code instance} in the task group ({@code <instance>-pool-<n>}, Spring adds the n). */
    private static String memberOf(String instance, Map<String, Set<TopicPartition>> members) {
        return members.keySet().stream().filter(id -> id.startsWith(instance + "-" + PoolWorkerApplication.TASK_TYPE))
                .findFirst().orElseThrow();
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }
}
