package io.tally.worker;

import io.tally.common.topics.Topics;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader-only work, one runner per group: declare {@code @Bean LeaderTask scan() { return new LeaderTask("source-scan",
 * Duration.ofMinutes(1), this::scan); }} and {@code work} runs every {@code period} on the one instance that holds the
 * role. The role is the one partition of {@code tally.workers.leases} in consumer group {@code tally-leader-<role>}:
 * the member Kafka assigns it to is the leader (as the scheduler's leader, ADR 0005). A deliberate shutdown leaves the
 * group, so another member takes over within a rebalance; a crashed leader keeps the role until the group's session
 * timeout ({@code tally.worker.leader-session-timeout}). The sticky assignor keeps the role where it is when members
 * join. Known gap: there is no fencing token; a leader cut off from the broker runs its current {@code work} to its
 * end while another may already have started, so {@code work} must be idempotent (the seed's lease has the same gap).
 */
public final class LeaderTask {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderTask.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final String role;
    private final Duration period;
    private final Runnable work;
    private volatile boolean leader;
    private volatile boolean running;
    private Thread member;
    private ScheduledExecutorService runner;
    private ScheduledFuture<?> scheduled;
    private KafkaConsumer<byte[], byte[]> consumer;

    /**
     * @param role   the role's name: one holder per name among all instances connected to the broker
     * @param period how often the leader runs {@code work} (the first run comes at once when it becomes leader)
     * @param work   what only the leader does; an exception is logged and the next period runs again
     */
    public LeaderTask(String role, Duration period, Runnable work) {
        if (role == null || role.isBlank() || period == null || period.isZero() || period.isNegative() || work == null) {
            throw new IllegalArgumentException("a leader task needs a role, a positive period and its work");
        }
        this.role = role;
        this.period = period;
        this.work = work;
    }

    public String role() {
        return role;
    }

    /** The consumer group that elects this role's leader. */
    public String groupId() {
        return "tally-leader-" + role;
    }

    /** Whether this instance holds the role now. */
    public boolean isLeader() {
        return leader;
    }

    /**
     * Joins the role's group with {@code consumerConfig} (bootstrap and security); {@code onChange} hears each gain
     * ({@code true}) and loss of the role.
     */
    synchronized void join(Map<String, Object> consumerConfig, String instanceId, Duration sessionTimeout,
                           BiConsumer<String, Boolean> onChange) {
        if (running) {
            return;
        }
        Map<String, Object> config = new HashMap<>(consumerConfig);
        config.keySet().removeIf(key -> key.startsWith("value.deserializer") || key.startsWith("key.deserializer"));
        config.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, instanceId + "-leader-" + role);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Dynamic membership on purpose: a crashed leader must lose the role after the session timeout, not keep it
        // for a static member's return.
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis());
        config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(100, sessionTimeout.toMillis() / 5));
        config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, List.of(CooperativeStickyAssignor.class.getName()));
        consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        runner = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "tally-leader-work-" + role));
        running = true;
        member = new Thread(() -> membership(onChange), "tally-leader-" + role);
        member.setDaemon(true);
        member.start();
    }

    private void membership(BiConsumer<String, Boolean> onChange) {
        TopicPartition lease = new TopicPartition(Topics.WORKER_LEASES.name(), 0);
        try {
            consumer.subscribe(List.of(lease.topic()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    if (partitions.contains(lease)) {
                        gained(onChange);
                    }
                }

                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    if (partitions.contains(lease)) {
                        lost(onChange);
                    }
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    onPartitionsRevoked(partitions);
                }
            });
            while (running) {
                consumer.poll(POLL);
            }
        } catch (WakeupException e) {
            // release(): leave below
        } catch (RuntimeException e) {
            LOG.warn("Leader election of role {} stopped: {}", role, e.toString());
        } finally {
            lost(onChange);
            // A deliberate stop leaves at once (the default for a dynamic member, stated so it stays true).
            consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(5)));
        }
    }

    private synchronized void gained(BiConsumer<String, Boolean> onChange) {
        if (leader) {
            return;
        }
        leader = true;
        LOG.info("This instance is now the leader of role {}; it runs its work every {}", role, period);
        onChange.accept(role, true);
        scheduled = runner.scheduleAtFixedRate(this::runOnce, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void lost(BiConsumer<String, Boolean> onChange) {
        if (!leader) {
            return;
        }
        leader = false;
        if (scheduled != null) {
            scheduled.cancel(false);
        }
        LOG.info("This instance no longer leads role {}", role);
        onChange.accept(role, false);
    }

    private void runOnce() {
        if (!leader) {
            return;
        }
        try {
            work.run();
        } catch (RuntimeException e) {
            LOG.warn("Leader work of role {} failed; it runs again in {}: {}", role, period, e.toString());
        }
    }

    /** Leaves the role's group so another member takes over at once; waits for a running {@code work} to end. */
    void release(Duration wait) {
        Thread thread;
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            thread = member;
        }
        try {
            // The running work ends before the group is left, so the next leader's first run cannot overlap it.
            runner.shutdown();
            runner.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS);
            consumer.wakeup();
            thread.join(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
