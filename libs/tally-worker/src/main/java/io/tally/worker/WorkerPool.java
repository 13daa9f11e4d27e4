package io.tally.worker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.events.WorkerHeartbeat;
import io.tally.events.WorkerStatus;
import io.tally.worker.WorkerMetrics.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * This instance as a member of its worker pool (seed 002): it writes its {@link WorkerHeartbeat} to the compacted
 * {@code tally.workers.heartbeats} every interval and on each change of status, recovers its session at start (the
 * instance id's last heartbeat, if recent, gives the session start and the counters), runs the application's
 * {@link LeaderTask}s, and drains on shutdown: its {@link #stop()} runs before the listener containers stop, marks it
 * DRAINING, releases its leader roles, pauses the containers (no new task is fetched) and waits up to
 * {@code drain-timeout} for the running tasks; the containers then commit the finished tasks' offsets as they stop.
 * Once they have, {@link #destroy()} removes the static members from their groups (so partitions move at once on a
 * deliberate shutdown; a crash keeps them until {@code session.timeout.ms}) and writes STOPPED.
 * The counters are the SDK's own meters ({@code tally.worker.tasks}) plus those of the recovered session.
 * Known gaps: a record fetched in the instant before the pause still runs (and completes) during the drain; heartbeats
 * are at-most-once, so a lost one only delays the view by one interval; a rebalance while a task runs (a member
 * joining) can move its partition before its offset is committed, and the new owner runs it again (at-least-once:
 * two results of the same attempt, which the engine takes once).
 */
public final class WorkerPool implements SmartLifecycle, DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(10);

    private final WorkerProperties properties;
    private final String instanceId;
    private final String service;
    private final String host;
    private final Supplier<List<String>> taskTypeSource;
    private List<String> taskTypes = List.of();
    private final KafkaTemplate<String, Object> template;
    private final AvroSerdes serdes;
    private final Map<String, Object> consumerConfig;
    private final Map<String, Object> adminConfig;
    private final MeterRegistry meters;
    private final KafkaListenerEndpointRegistry containers;
    private final Supplier<List<LeaderTask>> leaderTaskSource;
    private List<LeaderTask> leaderTasks = List.of();
    private final Clock clock;

    private final Map<String, Instant> running = new ConcurrentHashMap<>();
    private final Set<String> leaderOf = new ConcurrentSkipListSet<>();
    private final AtomicBoolean sendFailureLogged = new AtomicBoolean();
    private final Instant startedAt;
    private volatile WorkerStatus status = WorkerStatus.IDLE;
    private volatile boolean started;
    private Instant sessionStartedAt;
    private long recoveredSucceeded;
    private long recoveredFailed;
    private ScheduledExecutorService timer;

    /**
     * The task types and leader tasks are suppliers, read at start: the handler beans are still being created when the
     * pool is (the task listeners need it).
     */
    WorkerPool(WorkerProperties properties, String instanceId, String service, String host,
               Supplier<List<String>> taskTypes,
               KafkaTemplate<String, Object> template, AvroSerdes serdes, Map<String, Object> consumerConfig,
               Map<String, Object> adminConfig, MeterRegistry meters, KafkaListenerEndpointRegistry containers,
               Supplier<List<LeaderTask>> leaderTasks, Clock clock) {
        this.properties = properties;
        this.instanceId = instanceId;
        this.service = service;
        this.host = host;
        this.taskTypeSource = taskTypes;
        this.template = template;
        this.serdes = serdes;
        this.consumerConfig = consumerConfig;
        this.adminConfig = adminConfig;
        this.meters = meters;
        this.containers = containers;
        this.leaderTaskSource = leaderTasks;
        this.clock = clock;
        this.startedAt = clock.instant();
        this.sessionStartedAt = startedAt;
    }

    public String instanceId() {
        return instanceId;
    }

    /** What the next heartbeat says. */
    public WorkerStatus status() {
        return status;
    }

    /** When this instance id's session began (kept by a restart that recovered it). */
    public Instant sessionStartedAt() {
        return sessionStartedAt;
    }

    /** Whether the instance is draining: no new task should start. */
    public boolean draining() {
        return status == WorkerStatus.DRAINING || status == WorkerStatus.STOPPED;
    }

    void taskStarted(String taskId) {
        running.put(taskId, clock.instant());
        if (!draining()) {
            changed(WorkerStatus.BUSY);
        } else {
            heartbeat();
        }
    }

    void taskEnded(String taskId) {
        running.remove(taskId);
        if (!draining()) {
            changed(running.isEmpty() ? WorkerStatus.IDLE : WorkerStatus.BUSY);
        } else {
            heartbeat();
        }
    }

    private void leadership(String role, boolean held) {
        if (held) {
            leaderOf.add(role);
        } else {
            leaderOf.remove(role);
        }
        heartbeat();
    }

    private void changed(WorkerStatus next) {
        status = next;
        heartbeat();
    }

    @Override
    public void start() {
        taskTypes = taskTypeSource.get().stream().sorted().distinct().toList();
        leaderTasks = leaderTaskSource.get();
        recoverSession();
        started = true;
        status = WorkerStatus.IDLE;
        if (properties.heartbeats().enabled()) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "tally-worker-heartbeat");
                thread.setDaemon(true);
                return thread;
            });
            long every = properties.heartbeatInterval().toMillis();
            timer.scheduleAtFixedRate(this::heartbeat, 0, every, TimeUnit.MILLISECONDS);
        }
        for (LeaderTask task : leaderTasks) {
            task.join(consumerConfig, instanceId, properties.leaderSessionTimeout(), this::leadership);
        }
    }

    /** Drains: DRAINING, leader roles released, containers paused, running tasks awaited up to the drain timeout. */
    @Override
    public void stop() {
        if (!started) {
            return;
        }
        Instant begun = clock.instant();
        changed(WorkerStatus.DRAINING);
        LOG.info("Draining worker {}: no new task; waiting up to {} for {} running", instanceId,
                properties.drainTimeout(), running.size());
        leaderTasks.forEach(task -> task.release(properties.drainTimeout()));
        containers.getAllListenerContainers().forEach(MessageListenerContainer::pause);
        Instant deadline = begun.plus(properties.drainTimeout());
        while (!running.isEmpty() && clock.instant().isBefore(deadline)) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (running.isEmpty()) {
            LOG.info("Worker {} drained in {} ms", instanceId, Duration.between(begun, clock.instant()).toMillis());
        } else {
            LOG.warn("Worker {} stops with task(s) {} still running after {}: left to redelivery (at-least-once)",
                    instanceId, running.keySet(), properties.drainTimeout());
        }
        started = false;
    }

    @Override
    public boolean isRunning() {
        return started;
    }

    /** Before the listener containers ({@code Integer.MAX_VALUE - 100}) stop, so they are paused and drained first. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }

    /** After the containers stopped and committed: leave the task groups, then the STOPPED heartbeat. */
    @Override
    public void destroy() {
        if (timer != null) {
            timer.shutdownNow();
        }
        leaveTaskGroups();
        status = WorkerStatus.STOPPED;
        if (properties.heartbeats().enabled()) {
            try {
                template.send(Topics.WORKER_HEARTBEATS.name(), instanceId, snapshot())
                        .get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.warn("Could not write the STOPPED heartbeat of {}: {}", instanceId, e.toString());
            }
        }
    }

    /**
     * A static member does not leave its group when its consumer closes (Spring Kafka closes it with the default
     * options), so its partitions would wait {@code session.timeout.ms}; on a deliberate shutdown the admin API
     * removes it, as {@code kafka-consumer-groups --delete-members} would.
     */
    private void leaveTaskGroups() {
        List<String> groups = containers.getAllListenerContainers().stream().map(MessageListenerContainer::getGroupId)
                .filter(group -> group != null).distinct().toList();
        if (groups.isEmpty()) {
            return;
        }
        try (Admin admin = Admin.create(adminConfig)) {
            var described = admin.describeConsumerGroups(groups).all().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            for (var group : described.values()) {
                List<MemberToRemove> mine = new ArrayList<>();
                for (MemberDescription member : group.members()) {
                    member.groupInstanceId().filter(id -> id.startsWith(instanceId + "-"))
                            .ifPresent(id -> mine.add(new MemberToRemove(id)));
                }
                if (!mine.isEmpty()) {
                    admin.removeMembersFromConsumerGroup(group.groupId(), new RemoveMembersFromConsumerGroupOptions(mine))
                            .all().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("Worker {} could not leave its task groups; its partitions move after the session timeout: {}",
                    instanceId, e.toString());
        }
    }

    /** Writes the current state now; a failed send is logged once until one succeeds again, and never thrown. */
    void heartbeat() {
        if (!properties.heartbeats().enabled() || !started && status != WorkerStatus.STOPPED) {
            return;
        }
        WorkerHeartbeat beat;
        try {
            beat = snapshot();
            template.send(Topics.WORKER_HEARTBEATS.name(), instanceId, beat).whenComplete((sent, failure) -> {
                if (failure == null) {
                    sendFailureLogged.set(false);
                } else if (sendFailureLogged.compareAndSet(false, true)) {
                    LOG.warn("Could not write the heartbeat of {} (retried next interval): {}", instanceId, failure.toString());
                }
            });
        } catch (RuntimeException e) {
            if (sendFailureLogged.compareAndSet(false, true)) {
                LOG.warn("Could not write the heartbeat of {} (retried next interval): {}", instanceId, e.toString());
            }
        }
    }

    /** This instance's heartbeat as of now. */
    synchronized WorkerHeartbeat snapshot() {
        Map.Entry<String, Instant> current = running.entrySet().stream().min(Map.Entry.comparingByValue()).orElse(null);
        return WorkerHeartbeat.newBuilder()
                .setInstanceId(instanceId).setService(service).setHost(host).setTaskTypes(taskTypes)
                .setStatus(status)
                .setCurrentTask(current == null ? null : current.getKey())
                .setCurrentTaskSince(current == null ? null : current.getValue())
                .setTasksSucceeded(recoveredSucceeded + counted(Outcome.SUCCEEDED) + counted(Outcome.SKIPPED))
                .setTasksFailed(recoveredFailed + counted(Outcome.FAILED))
                .setLeaderOf(new ArrayList<>(leaderOf))
                .setSessionStartedAt(sessionStartedAt).setStartedAt(startedAt).setHeartbeatAt(clock.instant())
                .setHeartbeatIntervalMs(properties.heartbeatInterval().toMillis())
                .build();
    }

    private long counted(Outcome outcome) {
        Collection<Counter> counters = meters.find(WorkerMetrics.TASKS).tag("outcome", outcome.tag()).counters();
        return (long) counters.stream().mapToDouble(Counter::count).sum();
    }

    /** The instance id's last heartbeat, if written within the session timeout, continues its session. */
    private synchronized void recoverSession() {
        WorkerHeartbeat last;
        try {
            last = lastHeartbeat();
        } catch (RuntimeException e) {
            LOG.warn("Could not read the last heartbeat of {}; a new session begins: {}", instanceId, e.toString());
            return;
        }
        if (last == null) {
            LOG.info("Worker {} begins a new session", instanceId);
            return;
        }
        Duration since = Duration.between(last.getHeartbeatAt(), clock.instant());
        if (since.compareTo(properties.sessionTimeout()) > 0) {
            LOG.info("Worker {} begins a new session: its last one ended {} s ago, more than the session timeout {}",
                    instanceId, since.toSeconds(), properties.sessionTimeout());
            return;
        }
        sessionStartedAt = last.getSessionStartedAt();
        recoveredSucceeded = last.getTasksSucceeded();
        recoveredFailed = last.getTasksFailed();
        LOG.info("resumed session of {} started {} ({} succeeded, {} failed so far)", instanceId, sessionStartedAt,
                recoveredSucceeded, recoveredFailed);
    }

    /** Reads the compacted heartbeat topic to its end with a short-lived consumer outside any group. */
    private WorkerHeartbeat lastHeartbeat() {
        Map<String, Object> config = new HashMap<>(consumerConfig);
        config.keySet().removeIf(key -> key.startsWith("value.deserializer") || key.startsWith("key.deserializer"));
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, instanceId + "-session");
        // A missing topic means no session; asking for it must not create a plain (not compacted) one.
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        try (KafkaConsumer<String, WorkerHeartbeat> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                serdes.deserializer(WorkerHeartbeat.class))) {
            List<PartitionInfo> partitions = consumer.partitionsFor(Topics.WORKER_HEARTBEATS.name(), KAFKA_TIMEOUT);
            if (partitions == null || partitions.isEmpty()) {
                return null;
            }
            List<TopicPartition> all = partitions.stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(all);
            consumer.seekToBeginning(all);
            Map<TopicPartition, Long> ends = consumer.endOffsets(all, KAFKA_TIMEOUT);
            WorkerHeartbeat last = null;
            Instant deadline = clock.instant().plus(KAFKA_TIMEOUT);
            while (all.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                if (clock.instant().isAfter(deadline)) {
                    throw new IllegalStateException("the heartbeat topic was not read to its end in " + KAFKA_TIMEOUT);
                }
                for (ConsumerRecord<String, WorkerHeartbeat> record : consumer.poll(Duration.ofMillis(500))) {
                    if (instanceId.equals(record.key())) {
                        last = record.value();
                    }
                }
            }
            return last;
        }
    }
}
