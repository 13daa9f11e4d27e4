package io.tally.bench;

import static io.tally.bench.BenchEnvironment.millis;
import static io.tally.bench.BenchEnvironment.sleep;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.kafka.core.DefaultShareConsumerFactory;
import org.springframework.kafka.listener.AcknowledgingShareConsumerAwareMessageListener;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.ShareKafkaMessageListenerContainer;

/**
 * Issue 14: task queues for the engine's workers, a consumer group (KafkaConsumer, classic protocol, commit after
 * processing) against a share group (KafkaShareConsumer, explicit ACCEPT/RELEASE), on one 6-partition task topic
 * keyed by job id, in one run: (1) throughput of trivial tasks, (2) head-of-line blocking with 5% slow tasks at a
 * fixed rate, (3) a worker SIGKILLed in the middle of a task (a child JVM, {@link CrashWorker}), (4) a poison task
 * released on every delivery until the broker's delivery count limit archives it; (1) and (4) also through
 * spring-kafka's share container. Method and figures: docs/benchmarks.md ("Task queues"); decision: docs/adr/0017.
 */
final class TaskQueueBench {

    static final int PARTITIONS = 6;
    /** The slow share of the head-of-line part: one task in twenty takes {@link #SLOW_MS}. */
    static final int SLOW_EVERY = 20;
    static final int SLOW_MS = 500;
    static final int FAST_MS = 2;
    /** A task whose work is this is a poison task: the worker releases it on every delivery. */
    static final int POISON = -1;
    /** Classic-protocol session timeout of the consumer-group workers, as the scheduler ships (scheduler.yml). */
    static final int SESSION_TIMEOUT_MS = 10_000;
    /** The broker's {@code group.share.delivery.count.limit} (4.2 default; there is no group-level override in 4.2). */
    static final int DELIVERY_COUNT_LIMIT = 5;
    private static final Duration POLL = Duration.ofMillis(100);

    /**
     * {@code shareSpringContainer}: the same share group through spring-kafka's
     * {@code ShareKafkaMessageListenerContainer} (concurrency = workers, the listener acknowledges).
     * {@code shareShortTimeouts}: a share group with the group configs {@code share.session.timeout.ms} = the consumer
     * group's session timeout and {@code share.record.lock.duration.ms} = the broker's minimum (15 s), for the crash.
     */
    enum Mode { consumer, share, shareOnePerPoll, shareShortTimeouts, shareSpringContainer }

    /** Share group session timeout of {@link Mode#shareShortTimeouts}; the broker's minimum is lowered to allow it. */
    static final int SHARE_SHORT_SESSION_TIMEOUT_MS = SESSION_TIMEOUT_MS;
    static final int SHARE_SHORT_LOCK_DURATION_MS = 15_000;

    record Result(Map<String, Object> figures, Map<String, Object> ratios, List<String> problems) {
    }

    private final BenchEnvironment env;
    private final Admin admin;
    private final List<String> problems = new ArrayList<>();

    TaskQueueBench(BenchEnvironment env) {
        this.env = env;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, env.bootstrap()));
    }

    Result run(int workers, int trivialTasks, int holSeconds, int holRatePerSec, int crashTasks) {
        Map<String, Object> figures = new LinkedHashMap<>();
        Map<String, Object> ratios = new LinkedHashMap<>();
        figures.put("workers", workers);
        figures.put("partitions", PARTITIONS);
        try {
            Map<String, Object> throughput = new LinkedHashMap<>();
            for (Mode mode : List.of(Mode.consumer, Mode.share, Mode.shareSpringContainer)) {
                throughput.put(mode.name(), part("throughput " + mode, () -> throughput(mode, workers, trivialTasks)));
            }
            figures.put("throughput", throughput);
            ratios.put("throughputShareToConsumer", ratio(throughput, "share", "consumer", "tasksPerSec"));
            ratios.put("throughputSpringContainerToShare",
                    ratio(throughput, "shareSpringContainer", "share", "tasksPerSec"));

            Map<String, Object> hol = new LinkedHashMap<>();
            for (Mode mode : List.of(Mode.consumer, Mode.share, Mode.shareOnePerPoll)) {
                hol.put(mode.name(), part("head-of-line " + mode, () -> headOfLine(mode, workers, holSeconds, holRatePerSec)));
            }
            figures.put("headOfLine", hol);
            ratios.put("fastP50ShareToConsumer", ratio(hol, "share", "consumer", "fastP50Ms"));
            ratios.put("fastP99ShareToConsumer", ratio(hol, "share", "consumer", "fastP99Ms"));
            ratios.put("fastP99ShareOnePerPollToConsumer", ratio(hol, "shareOnePerPoll", "consumer", "fastP99Ms"));
            ratios.put("totalShareToConsumer", ratio(hol, "share", "consumer", "totalMs"));
            ratios.put("totalShareOnePerPollToConsumer", ratio(hol, "shareOnePerPoll", "consumer", "totalMs"));

            Map<String, Object> crash = new LinkedHashMap<>();
            for (Mode mode : List.of(Mode.consumer, Mode.share, Mode.shareShortTimeouts)) {
                crash.put(mode.name(), part("crash " + mode, () -> crash(mode, crashTasks)));
            }
            figures.put("crash", crash);
            ratios.put("crashRecoveryShareToConsumer", ratio(crash, "share", "consumer", "recoveryMs"));
            ratios.put("crashRecoveryShareShortTimeoutsToConsumer",
                    ratio(crash, "shareShortTimeouts", "consumer", "recoveryMs"));

            Map<String, Object> poison = new LinkedHashMap<>();
            for (Mode mode : List.of(Mode.share, Mode.shareSpringContainer)) {
                poison.put(mode.name(), part("poison " + mode, () -> poison(mode, workers)));
            }
            figures.put("poison", poison);
        } finally {
            admin.close(Duration.ofSeconds(10));
        }
        return new Result(figures, ratios, problems);
    }

    /** One measurement; a failure is a problem of the summary and leaves the other parts to run. */
    private Map<String, Object> part(String name, java.util.function.Supplier<Map<String, Object>> measurement) {
        try {
            return measurement.get();
        } catch (RuntimeException e) {
            problems.add("task queues, " + name + ": " + e.getMessage());
            env.say("task queues: %s failed: %s", name, e);
            return Map.of("error", String.valueOf(e.getMessage()));
        }
    }

    // ---------------------------------------------------------------- the four parts

    /** (1) Trivial tasks: produced in bulk to warmed-up workers; first to last completion. */
    private Map<String, Object> throughput(Mode mode, int workers, int tasks) {
        String topic = newTopic("throughput-" + mode);
        try (Pool pool = new Pool(mode, topic, workers, 500)) {
            pool.warmUp();
            try (KafkaProducer<byte[], byte[]> producer = producer(true)) {
                for (long id = 0; id < tasks; id++) {
                    producer.send(task(topic, id, 0, 0));
                }
            }
            pool.await("throughput " + mode, () -> pool.completedIds(tasks) >= tasks);
            Map<String, Object> result = new LinkedHashMap<>();
            double seconds = (pool.lastNanos.get() - pool.firstNanos.get()) / 1e9;
            result.put("tasks", tasks);
            result.put("tasksPerSec", Math.round(tasks / seconds));
            pool.checkOnce(tasks, result, "throughput " + mode);
            env.say("task queues: throughput %s, %d workers: %,d tasks/s", mode, workers, result.get("tasksPerSec"));
            return result;
        }
    }

    /** (2) 5% of tasks take 500 ms, the rest 2 ms, sent at a fixed rate: latency of the fast ones, and the total. */
    private Map<String, Object> headOfLine(Mode mode, int workers, int seconds, int ratePerSec) {
        String topic = newTopic("hol-" + mode);
        int tasks = seconds * ratePerSec;
        try (Pool pool = new Pool(mode, topic, workers, mode == Mode.shareOnePerPoll ? 1 : 500)) {
            pool.warmUp();
            long start = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = producer(false)) {
                for (long id = 0; id < tasks; id++) {
                    long due = start + id * 1_000_000_000L / ratePerSec;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        sleep(TimeUnit.NANOSECONDS.toMillis(wait));
                    }
                    producer.send(task(topic, id, id % SLOW_EVERY == 7 ? SLOW_MS : FAST_MS, System.nanoTime()));
                }
            }
            pool.await("head-of-line " + mode, () -> pool.completedIds(tasks) >= tasks);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("tasks", tasks);
            result.put("ratePerSec", ratePerSec);
            result.put("maxPollRecords", mode == Mode.shareOnePerPoll ? 1 : 500);
            Histogram fast = pool.fastLatency;
            synchronized (fast) {
                result.put("fastP50Ms", millis(fast.getValueAtPercentile(50)));
                result.put("fastP99Ms", millis(fast.getValueAtPercentile(99)));
                result.put("fastMaxMs", millis(fast.getMaxValue()));
            }
            result.put("totalMs", Math.round((pool.lastNanos.get() - start) / 1e6));
            result.put("sendMs", Math.round(seconds * 1000.0));
            pool.checkOnce(tasks, result, "head-of-line " + mode);
            env.say("task queues: head-of-line %s: fast p50 %s ms, p99 %s ms, total %s ms", mode,
                    result.get("fastP50Ms"), result.get("fastP99Ms"), result.get("totalMs"));
            return result;
        }
    }

    /**
     * (3) Five workers here and one in a child JVM. The child takes its first batch, finishes half of it (committing
     * or acknowledging each task), then hangs in the next task and is SIGKILLed: how long until every task is done
     * by the others, and whether any task was lost or done twice.
     */
    private Map<String, Object> crash(Mode mode, int tasksPerRound) {
        int tasks = tasksPerRound;
        String topic = newTopic("crash-" + mode);
        int workers = PARTITIONS;
        try (Pool pool = new Pool(mode, topic, workers - 1, 500)) {
            pool.warmUp();
            Process child = startCrashWorker(mode, topic, pool.group);
            List<Long> held = new CopyOnWriteArrayList<>();
            AtomicLong hungAt = new AtomicLong();
            AtomicLong heldMs = new AtomicLong();
            AtomicInteger ready = new AtomicInteger();
            Thread reader = new Thread(() -> readCrashWorker(child, pool, held, hungAt, heldMs, ready), "crash-worker-out");
            reader.setDaemon(true);
            reader.start();
            try {
                pool.await("crash worker ready " + mode, () -> ready.get() > 0 || !child.isAlive());
                if (mode != Mode.consumer) {
                    sleep(2_000); // a share member has no assignment callback: give the group time to include it
                }
                // A share worker may find that the others took everything: send rounds until it holds some.
                int total = 0;
                try (KafkaProducer<byte[], byte[]> producer = producer(true)) {
                    for (int round = 0; round < 5 && hungAt.get() == 0 && child.isAlive(); round++) {
                        for (long id = total; id < total + tasksPerRound; id++) {
                            producer.send(task(topic, id, 5, 0));
                        }
                        producer.flush();
                        total += tasksPerRound;
                        long roundEnd = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                        while (hungAt.get() == 0 && child.isAlive() && System.nanoTime() < roundEnd) {
                            sleep(20);
                        }
                    }
                }
                if (hungAt.get() == 0) {
                    throw new BenchEnvironment.BenchFailure("crash " + mode + ": the crash worker took no task");
                }
                tasks = total;
                child.destroyForcibly();
                long killedAt = System.nanoTime();
                int all = tasks;
                pool.await("crash recovery " + mode, () -> pool.completedIds(all) >= all);
                long recoveredAt = System.nanoTime();
                List<Long> heldIds = List.copyOf(held);
                long heldDone = heldIds.stream().mapToLong(id -> pool.doneAt.getOrDefault(id, 0L)).max().orElse(0);
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("tasks", tasks);
                result.put("workers", workers);
                result.put("doneByCrashedWorker", pool.doneByChild.get());
                result.put("heldByCrashedWorker", heldIds.size());
                // From the crashed worker's poll returning them until the kill; a share lock runs from acquisition.
                result.put("heldForMsBeforeKill", heldMs.get() + Math.round((killedAt - hungAt.get()) / 1e6));
                result.put("heldDoneByOthersBeforeKill", heldIds.stream()
                        .filter(id -> pool.doneAt.getOrDefault(id, Long.MAX_VALUE) < killedAt).count());
                result.put("recoveryMs", Math.round(((heldDone > 0 ? heldDone : recoveredAt) - killedAt) / 1e6));
                result.put("allDoneAfterKillMs", Math.round((recoveredAt - killedAt) / 1e6));
                sleep(2_000); // late doubles
                pool.checkOnce(tasks, result, "crash " + mode);
                env.say("task queues: crash %s: the %d held tasks done %s ms after the kill; lost %s, doubled %s", mode,
                        heldIds.size(), result.get("recoveryMs"), result.get("lost"), result.get("doubled"));
                return result;
            } finally {
                child.destroyForcibly();
            }
        }
    }

    /** (4) A poison task released on every delivery, with 100 ordinary tasks of the same job behind it. */
    private Map<String, Object> poison(Mode mode, int workers) {
        String topic = newTopic("poison-" + mode);
        int normal = 100;
        try (Pool pool = new Pool(mode, topic, workers, 500)) {
            pool.warmUp();
            long start = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = producer(false)) {
                producer.send(task(topic, "job-poisoned", normal, POISON, start));
                for (long id = 0; id < normal; id++) {
                    producer.send(task(topic, "job-poisoned", id, FAST_MS, start));
                }
            }
            pool.await("poison: ordinary tasks", () -> pool.completedIds(normal) >= normal);
            long normalDone = pool.lastNanos.get();
            // Archived: no delivery for 5 s after the last one.
            pool.await("poison: archived", () -> !pool.poisonDeliveries.isEmpty()
                    && System.nanoTime() - pool.poisonDeliveries.get(pool.poisonDeliveries.size() - 1)[0] > 5e9);
            List<long[]> deliveries = List.copyOf(pool.poisonDeliveries);
            List<Long> gaps = new ArrayList<>();
            for (int i = 1; i < deliveries.size(); i++) {
                gaps.add(Math.round((deliveries.get(i)[0] - deliveries.get(i - 1)[0]) / 1e6));
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("brokerDeliveryCountLimit", DELIVERY_COUNT_LIMIT);
            result.put("deliveries", deliveries.size());
            result.put("deliveryCountsSeen", deliveries.stream().map(d -> d[1]).toList());
            result.put("msBetweenDeliveries", gaps);
            result.put("archivedAfterMs", Math.round((deliveries.get(deliveries.size() - 1)[0] - start) / 1e6));
            result.put("ordinaryTasksOfTheSameJobDoneMs", Math.round((normalDone - start) / 1e6));
            pool.checkOnce(normal, result, "poison " + mode);
            if (deliveries.size() != DELIVERY_COUNT_LIMIT) {
                problems.add("poison " + mode + ": " + deliveries.size() + " deliveries, expected the limit " + DELIVERY_COUNT_LIMIT);
            }
            env.say("task queues: poison (%s) delivered %d times (counts %s), %s ms apart; ordinary tasks done after %s ms",
                    mode, deliveries.size(), result.get("deliveryCountsSeen"), gaps, result.get("ordinaryTasksOfTheSameJobDoneMs"));
            return result;
        }
    }

    // ---------------------------------------------------------------- workers

    /** N workers of one mode on one topic; records what was done, when, and how often. */
    private final class Pool implements AutoCloseable {
        final Mode mode;
        final String topic;
        final String group;
        final int maxPollRecords;
        final Map<Long, AtomicInteger> done = new ConcurrentHashMap<>();
        final Map<Long, Long> doneAt = new ConcurrentHashMap<>();
        final AtomicLong firstNanos = new AtomicLong();
        final AtomicLong lastNanos = new AtomicLong();
        final AtomicInteger doneByChild = new AtomicInteger();
        final Histogram fastLatency = new Histogram(3);
        final List<long[]> poisonDeliveries = new CopyOnWriteArrayList<>();
        final List<Runnable> wakeups = new CopyOnWriteArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        final List<String> errors = new CopyOnWriteArrayList<>();
        volatile boolean running = true;
        ShareKafkaMessageListenerContainer<byte[], byte[]> container;

        Pool(Mode mode, String topic, int workers, int maxPollRecords) {
            this.mode = mode;
            this.topic = topic;
            this.group = topic + "-workers";
            this.maxPollRecords = maxPollRecords;
            if (mode != Mode.consumer) {
                setShareGroupConfig(group, mode);
            }
            if (mode == Mode.shareSpringContainer) {
                container = springContainer(workers);
                container.start();
                return;
            }
            for (int i = 0; i < workers; i++) {
                Runnable loop = mode == Mode.consumer ? this::consumerLoop : this::shareLoop;
                Thread thread = new Thread(() -> guarded(loop), "task-worker-" + mode + "-" + i);
                thread.setDaemon(true);
                threads.add(thread);
                thread.start();
            }
        }

        /** 200 warm-up tasks (negative ids) through every worker, then 2 s for the group to settle. */
        void warmUp() {
            try (KafkaProducer<byte[], byte[]> producer = producer(true)) {
                for (long id = -1000; id < -800; id++) {
                    producer.send(task(topic, id, 0, 0));
                }
            }
            await("warm-up " + mode, () -> done.keySet().stream().filter(id -> id <= -800).count() >= 200);
            sleep(2_000);
            done.keySet().removeIf(id -> id < 0);
            firstNanos.set(0);
            lastNanos.set(0);
        }

        /** Runs a worker loop until {@link #close()} wakes it; a failure before that fails the measurement. */
        private void guarded(Runnable loop) {
            try {
                loop.run();
            } catch (WakeupException stopping) {
                // close
            } catch (RuntimeException e) {
                if (running) {
                    errors.add(Thread.currentThread().getName() + ": " + e);
                }
            }
        }

        /** Lets {@link #close()} wake the worker, and subscribes it to the task topic. */
        private void join(Runnable wakeup, java.util.function.Consumer<Collection<String>> subscribe) {
            wakeups.add(wakeup);
            subscribe.accept(List.of(topic));
        }

        private void consumerLoop() {
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                    consumerConfig(env.bootstrap(), group, maxPollRecords))) {
                join(consumer::wakeup, consumer::subscribe);
                while (running) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                    for (ConsumerRecord<byte[], byte[]> record : records) {
                        work(record);
                    }
                    if (!records.isEmpty()) {
                        consumer.commitSync();
                    }
                }
            }
        }

        private void shareLoop() {
            try (KafkaShareConsumer<byte[], byte[]> consumer = new KafkaShareConsumer<>(
                    shareConfig(env.bootstrap(), group, maxPollRecords))) {
                join(consumer::wakeup, consumer::subscribe);
                while (running) {
                    // Acknowledgements of the previous batch travel with this poll.
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                        consumer.acknowledge(record, handle(record));
                    }
                }
            }
        }

        /**
         * Spring's share container, as a worker SDK would configure it: N consumers, and the listener acknowledges
         * ({@code ShareAckMode.MANUAL}; with {@code EXPLICIT} spring-kafka 4.1.1 acknowledges by itself and passes the
         * listener a null acknowledgment).
         */
        private ShareKafkaMessageListenerContainer<byte[], byte[]> springContainer(int workers) {
            ContainerProperties properties = new ContainerProperties(topic);
            properties.setShareAckMode(ContainerProperties.ShareAckMode.MANUAL);
            properties.setMessageListener((AcknowledgingShareConsumerAwareMessageListener<byte[], byte[]>)
                    (record, acknowledgment, consumer) -> {
                        if (handle(record) == AcknowledgeType.ACCEPT) {
                            acknowledgment.acknowledge();
                        } else {
                            acknowledgment.release();
                        }
                    });
            Map<String, Object> config = shareConfig(env.bootstrap(), group, maxPollRecords);
            ShareKafkaMessageListenerContainer<byte[], byte[]> spring = new ShareKafkaMessageListenerContainer<>(
                    new DefaultShareConsumerFactory<>(config), properties);
            spring.setConcurrency(workers);
            spring.setBeanName("task-worker-" + mode);
            return spring;
        }

        /** A share worker's answer: RELEASE for the poison task (its delivery is recorded), ACCEPT after the work. */
        private AcknowledgeType handle(ConsumerRecord<byte[], byte[]> record) {
            if (ByteBuffer.wrap(record.value()).getInt(8) == POISON) {
                poisonDeliveries.add(new long[] {System.nanoTime(), record.deliveryCount().orElse((short) -1)});
                return AcknowledgeType.RELEASE;
            }
            work(record);
            return AcknowledgeType.ACCEPT;
        }

        private void work(ConsumerRecord<byte[], byte[]> record) {
            ByteBuffer value = ByteBuffer.wrap(record.value());
            long id = value.getLong(0);
            int workMs = value.getInt(8);
            long sentNanos = value.getLong(12);
            if (workMs > 0) {
                sleep(workMs);
            }
            completed(id);
            if (workMs == FAST_MS && sentNanos > 0) {
                synchronized (fastLatency) {
                    fastLatency.recordValue(Math.max(0, (System.nanoTime() - sentNanos) / 1_000));
                }
            }
        }

        void completed(long id) {
            long now = System.nanoTime();
            firstNanos.compareAndSet(0, now);
            lastNanos.accumulateAndGet(now, Math::max);
            done.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            doneAt.merge(id, now, Math::max);
        }

        long completedIds(long below) {
            return done.keySet().stream().filter(id -> id >= 0 && id < below).count();
        }

        void await(String what, BooleanSupplier condition) {
            long deadline = System.nanoTime() + env.timeout().toNanos();
            while (!condition.getAsBoolean()) {
                if (!errors.isEmpty()) {
                    throw new BenchEnvironment.BenchFailure(what + ": a worker failed: " + errors.get(0));
                }
                if (System.nanoTime() > deadline) {
                    throw new BenchEnvironment.BenchFailure(what + ": not done within " + env.timeout()
                            + " (" + completedIds(Long.MAX_VALUE) + " tasks done)");
                }
                sleep(20);
            }
        }

        /** Every task 0..tasks-1 done exactly once; adds lost and doubled to the result, problems for the summary. */
        void checkOnce(int tasks, Map<String, Object> result, String what) {
            long lost = 0;
            long doubled = 0;
            for (long id = 0; id < tasks; id++) {
                AtomicInteger count = done.get(id);
                if (count == null) {
                    lost++;
                } else if (count.get() > 1) {
                    doubled += count.get() - 1;
                }
            }
            result.put("lost", lost);
            result.put("doubled", doubled);
            if (lost > 0) {
                problems.add(what + ": " + lost + " tasks lost");
            }
        }

        @Override
        public void close() {
            running = false;
            if (container != null) {
                container.stop();
            }
            wakeups.forEach(Runnable::run);
            for (Thread thread : threads) {
                try {
                    thread.join(30_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private Process startCrashWorker(Mode mode, String topic, String group) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        try {
            return new ProcessBuilder(java.toString(), "-Xmx128m", "-XX:TieredStopAtLevel=1",
                    "-cp", System.getProperty("java.class.path"), CrashWorker.class.getName(),
                    env.bootstrap(), mode.name(), topic, group)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (java.io.IOException e) {
            throw new BenchEnvironment.BenchFailure("could not start the crash worker: " + e);
        }
    }

    private static void readCrashWorker(Process child, Pool pool, List<Long> held, AtomicLong hungAt,
                                        AtomicLong heldMs, AtomicInteger ready) {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("READY")) {
                    ready.incrementAndGet();
                } else if (line.startsWith("DONE ")) {
                    pool.completed(Long.parseLong(line.substring(5)));
                    pool.doneByChild.incrementAndGet();
                } else if (line.startsWith("HUNG ")) {
                    String[] words = line.split(" ");
                    heldMs.set(Long.parseLong(words[1]));
                    for (String id : (words.length > 2 ? words[2] : "").split(",")) {
                        if (!id.isBlank()) {
                            held.add(Long.parseLong(id));
                        }
                    }
                    hungAt.set(System.nanoTime());
                }
            }
        } catch (java.io.IOException ignored) {
            // killed
        }
    }

    /**
     * The worker that crashes, in its own JVM so that it can be SIGKILLed: args bootstrap, mode, topic, group.
     * Prints READY when it is in the group, DONE id for each task it finished (after its commit or acknowledgement
     * reached the broker), then HUNG ids for the tasks it holds, and waits to be killed.
     */
    static final class CrashWorker {
        public static void main(String[] args) throws Exception {
            String bootstrap = args[0];
            Mode mode = Mode.valueOf(args[1]);
            String topic = args[2];
            String group = args[3];
            if (mode == Mode.consumer) {
                try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(bootstrap, group, 500))) {
                    consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                        @Override
                        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        }

                        @Override
                        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                            if (!partitions.isEmpty()) {
                                System.out.println("READY");
                                System.out.flush();
                            }
                        }
                    });
                    takeHalfAndHang(() -> consumer.poll(POLL), record -> consumer.commitSync(Map.of(
                            new TopicPartition(record.topic(), record.partition()),
                            new OffsetAndMetadata(record.offset() + 1))));
                }
                return;
            }
            try (KafkaShareConsumer<byte[], byte[]> consumer = new KafkaShareConsumer<>(shareConfig(bootstrap, group, 500))) {
                consumer.subscribe(List.of(topic));
                consumer.poll(Duration.ZERO);
                System.out.println("READY");
                System.out.flush();
                takeHalfAndHang(() -> consumer.poll(POLL), record -> {
                    consumer.acknowledge(record, AcknowledgeType.ACCEPT);
                    consumer.commitSync();
                });
            }
        }

        /** Finishes the first half of the first non-empty batch, one commit or acknowledgement each, then hangs. */
        private static void takeHalfAndHang(java.util.function.Supplier<ConsumerRecords<byte[], byte[]>> poll,
                                            java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> finish)
                throws InterruptedException {
            while (true) {
                ConsumerRecords<byte[], byte[]> records = poll.get();
                if (records.isEmpty()) {
                    continue;
                }
                long taken = System.nanoTime();
                List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
                records.forEach(batch::add);
                for (int i = 0; i < batch.size() / 2; i++) {
                    ConsumerRecord<byte[], byte[]> record = batch.get(i);
                    Thread.sleep(ByteBuffer.wrap(record.value()).getInt(8));
                    finish.accept(record);
                    System.out.println("DONE " + ByteBuffer.wrap(record.value()).getLong(0));
                }
                hang(batch.subList(batch.size() / 2, batch.size()), (System.nanoTime() - taken) / 1_000_000);
            }
        }

        private static void hang(List<ConsumerRecord<byte[], byte[]>> held, long heldMs) throws InterruptedException {
            StringBuilder ids = new StringBuilder("HUNG " + heldMs + " ");
            held.forEach(record -> ids.append(ByteBuffer.wrap(record.value()).getLong(0)).append(','));
            System.out.println(ids);
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    // ---------------------------------------------------------------- configuration

    static Map<String, Object> consumerConfig(String bootstrap, String group, int maxPollRecords) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
        config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, SESSION_TIMEOUT_MS / 3);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return config;
    }

    /**
     * Explicit acknowledgement; with one record per poll the broker hands out exactly that many
     * ({@code share.acquire.mode=record_limit}), otherwise whole batches ({@code batch_optimized}, the default).
     */
    static Map<String, Object> shareConfig(String bootstrap, String group, int maxPollRecords) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
        config.put(ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, maxPollRecords == 1 ? "record_limit" : "batch_optimized");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return config;
    }

    /** A new share group starts at the log end by default ({@code share.auto.offset.reset=latest}). */
    private void setShareGroupConfig(String group, Mode mode) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
        List<AlterConfigOp> ops = new ArrayList<>();
        ops.add(new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET));
        if (mode == Mode.shareShortTimeouts) {
            ops.add(new AlterConfigOp(new ConfigEntry("share.session.timeout.ms",
                    String.valueOf(SHARE_SHORT_SESSION_TIMEOUT_MS)), AlterConfigOp.OpType.SET));
            ops.add(new AlterConfigOp(new ConfigEntry("share.record.lock.duration.ms",
                    String.valueOf(SHARE_SHORT_LOCK_DURATION_MS)), AlterConfigOp.OpType.SET));
        }
        try {
            admin.incrementalAlterConfigs(Map.of(resource, ops)).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new BenchEnvironment.BenchFailure("could not configure share group " + group + ": " + e);
        }
    }

    private String newTopic(String part) {
        String name = "tally.tasks.bench-" + part + "-" + env.runId();
        try {
            admin.createTopics(List.of(new NewTopic(name, PARTITIONS, (short) 1))).all().get(60, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(name)) {
                if (System.nanoTime() > deadline) {
                    throw new BenchEnvironment.BenchFailure(name + " not listed 30 s after its creation");
                }
                sleep(100);
            }
            BenchCommand.awaitLeaders(admin, List.of(name));
        } catch (BenchEnvironment.BenchFailure e) {
            throw e;
        } catch (Exception e) {
            throw new BenchEnvironment.BenchFailure("could not create " + name + ": " + e);
        }
        return name;
    }

    private KafkaProducer<byte[], byte[]> producer(boolean bulk) {
        Map<String, Object> config = new HashMap<>(bulk ? env.bulkProducerConfig("task-queue-bench")
                : env.promptProducerConfig("task-queue-bench"));
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Key: the job (50 jobs, so every partition has work); value: id, work in ms, send time in nanos. */
    private static ProducerRecord<byte[], byte[]> task(String topic, long id, int workMs, long sentNanos) {
        return task(topic, "job-" + Math.floorMod(id, 50), id, workMs, sentNanos);
    }

    private static ProducerRecord<byte[], byte[]> task(String topic, String job, long id, int workMs, long sentNanos) {
        byte[] key = job.getBytes(StandardCharsets.UTF_8);
        byte[] value = ByteBuffer.allocate(20).putLong(id).putInt(workMs).putLong(sentNanos).array();
        return new ProducerRecord<>(topic, key, value);
    }

    @SuppressWarnings("unchecked")
    private static double ratio(Map<String, Object> byMode, String numerator, String denominator, String field) {
        Object top = ((Map<String, Object>) byMode.get(numerator)).get(field);
        Object bottom = ((Map<String, Object>) byMode.get(denominator)).get(field);
        if (!(top instanceof Number) || !(bottom instanceof Number)) {
            return 0;
        }
        double b = ((Number) bottom).doubleValue();
        return b == 0 ? 0 : Math.round(((Number) top).doubleValue() / b * 1000) / 1000.0;
    }
}
