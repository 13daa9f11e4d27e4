package io.tally.scheduler.cron;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.events.PipelineTriggered;
import io.tally.events.ScheduleFired;
import io.tally.scheduler.MissedPolicy;
import io.tally.scheduler.ReaderThread;
import io.tally.scheduler.Schedule;
import io.tally.scheduler.SchedulerProperties;
import io.tally.scheduler.ScheduleSpec;
import io.tally.scheduler.Schedules;
import io.tally.scheduler.Triggers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Fires the enabled schedules ({@link Schedules}: configured ones and those of the published pipeline definitions,
 * alike) from exactly one replica at a time (docs/adr/0005-scheduler-single-firing.md).
 * Every replica's consumer joins group {@code tally-scheduler} on the one-partition {@code tally.scheduler.fired} topic;
 * the member assigned the partition leads. Leading: a transactional producer with the fixed id
 * {@value #LEADER_TRANSACTIONAL_ID} fences any older leader, the topic is read to its end to learn the last instant
 * of each schedule, then each due instant is one transaction holding its {@code PipelineTriggered} and its
 * {@code ScheduleFired}. A failure that escapes the loop does not end it: the replica steps down, leaves the group,
 * waits a capped exponential back-off ({@code tally.scheduler.recovery.*}) and joins again; {@link LeaderLoopHealth}
 * counts the failures in a row and turns liveness DOWN when they reach the configured number.
 * Known gap: a crashed leader (no clean leave) is replaced only after the consumer session
 * times out ({@code session.timeout.ms}); instants of that pause within {@code tally.scheduler.grace} still fire.
 */
@Component
@ConditionalOnProperty(prefix = "tally.scheduler", name = "enabled", havingValue = "true", matchIfMissing = true)
public class ScheduleLeader implements SmartLifecycle {

    /** The same for every replica on purpose: a new leader's {@code initTransactions()} fences the previous one. */
    public static final String LEADER_TRANSACTIONAL_ID = "tally-scheduler-leader";

    private static final Logger log = LoggerFactory.getLogger(ScheduleLeader.class);
    private static final TopicPartition PARTITION = new TopicPartition(Topics.SCHEDULES_FIRED.name(), 0);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final SchedulerProperties properties;
    private final Schedules schedules;
    private final KafkaProperties kafka;
    private final AvroSerdes serdes;
    private final Clock clock;
    private final SchedulerMetrics metrics;
    private final LeaderLoopHealth health;
    /** Last instant handled per schedule, as read from (and written to) the fired topic. */
    private final Map<String, Instant> lastFired = new ConcurrentHashMap<>();

    private final ReaderThread loop = new ReaderThread("tally-scheduler-leader");
    private volatile Instant startedAt;
    // Touched only by the leader thread (including the rebalance callbacks, which run inside its poll()).
    private KafkaConsumer<String, ScheduleFired> consumer;
    private boolean assigned;
    private KafkaProducer<String, SpecificRecord> producer;
    private boolean leading;
    /** The group assigned this member its partitions (possibly none) since it last joined. */
    private boolean joined;
    /** Something failed in the current tick; it then does not count as a success. */
    private boolean tickFailed;

    public ScheduleLeader(SchedulerProperties properties, Schedules schedules, KafkaProperties kafka, AvroSerdes serdes,
                          Clock clock, SchedulerMetrics metrics, LeaderLoopHealth health) {
        this.properties = properties;
        this.schedules = schedules;
        this.kafka = kafka;
        this.serdes = serdes;
        this.clock = clock;
        this.metrics = metrics;
        this.health = health;
    }

    @Override
    public void start() {
        startedAt = clock.instant();
        loop.start(this::run);
    }

    @Override
    public void stop() {
        loop.stop(CLOSE_TIMEOUT.multipliedBy(3));
    }

    @Override
    public boolean isRunning() {
        return loop.running();
    }

    /** The last instant handled per schedule, as this replica knows it. */
    public Map<String, Instant> lastFired() {
        return Map.copyOf(lastFired);
    }

    private void run() {
        while (loop.running()) {
            try {
                lead();
            } catch (WakeupException e) {
                // stop() woke the consumer up: leave the loop.
            } catch (RuntimeException e) {
                // Anything else is retried: a replica that stopped firing while it looks alive would hold the
                // leadership partition and fire nothing, unnoticed.
                int inARow = health.failed(e, Instant.now());
                Duration wait = properties.recovery().backoff(inARow);
                log.error("Scheduler leader loop failed ({} in a row); this replica left the group and joins again in {}",
                        inARow, wait, e);
                loop.pause(wait);
            } catch (Error e) {
                // Not retried (the JVM may be out of memory, a class missing), but not silent either.
                health.died(e, Instant.now());
                log.error("Scheduler leader loop died; this replica fires nothing until it is restarted", e);
                throw e;
            }
        }
    }

    /** Runs the loop with a fresh consumer until stop(), or until something throws. */
    private void lead() {
        try (KafkaConsumer<String, ScheduleFired> client = new KafkaConsumer<>(consumerConfig(), new StringDeserializer(),
                serdes.deserializer(ScheduleFired.class))) {
            consumer = client;
            loop.polling(client);
            joined = false;
            client.subscribe(List.of(PARTITION.topic()), new Leadership());
            try {
                while (loop.running()) {
                    tickFailed = false;
                    pollOnce(properties.tick());
                    if (assigned && !leading) {
                        tryToLead();
                    }
                    if (leading) {
                        fireDue();
                    }
                    // A success is a standby that joined its group, or a leader whose due instants all went out; a
                    // member still joining, or assigned but not yet leading, has proven nothing yet.
                    if (joined && !tickFailed && (leading || !assigned)) {
                        health.succeeded();
                    }
                }
            } finally {
                stepDown();
                assigned = false;
                // Leave the group at once (even with static membership), so another replica leads without waiting for
                // the session timeout.
                client.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                        .withTimeout(CLOSE_TIMEOUT));
                loop.polling(null);
                consumer = null;
            }
        }
    }

    private void failedInTick(RuntimeException e) {
        tickFailed = true;
        health.failed(e, Instant.now());
    }

    private void pollOnce(Duration timeout) {
        try {
            for (ConsumerRecord<String, ScheduleFired> record : consumer.poll(timeout)) {
                remember(record.value());
            }
        } catch (RecordDeserializationException e) {
            // Nothing but the leader should write here; a foreign record must not stop scheduling.
            log.warn("Skipping unreadable record at {} offset {}: {}", e.topicPartition(), e.offset(), e.getMessage());
            consumer.seek(e.topicPartition(), e.offset() + 1);
        }
    }

    private void remember(ScheduleFired fired) {
        if (fired != null) {
            lastFired.merge(fired.getSchedule(), fired.getInstant(), (a, b) -> a.isAfter(b) ? a : b);
        }
    }

    /**
     * Fences older leaders first, then reads the fired topic to its end: after the fence, any transaction a zombie
     * left open is aborted, so the read_committed end offset is final and the last fired instants are complete.
     */
    private void tryToLead() {
        try {
            producer = new KafkaProducer<>(producerConfig(), new StringSerializer(), serdes.serializer());
            producer.initTransactions();
            long end = consumer.endOffsets(Set.of(PARTITION)).get(PARTITION);
            while (assigned && consumer.position(PARTITION) < end) {
                pollOnce(Duration.ofMillis(200));
            }
            if (!assigned) {
                closeProducer();
                return;
            }
            leading = true;
            metrics.leading(true);
            log.info("This replica leads the scheduler; last fired instants: {}", lastFired);
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            log.warn("Could not take scheduler leadership, retrying on the next tick: {}", e.toString());
            failedInTick(e);
            closeProducer();
        }
    }

    private void fireDue() {
        if (!schedules.ready()) {
            // Instants due meanwhile fire once the state is read, within grace or by their missed-run policy.
            return;
        }
        Instant now = clock.instant();
        for (Schedule schedule : schedules.enabled()) {
            Instant from = schedule.handledUpTo(lastFired.get(schedule.name()), startedAt);
            for (DueInstant due : ScheduleCalendar.due(schedule.spec(), from, now, properties.grace())) {
                if (!leading || !fire(schedule.spec(), due, now)) {
                    return;
                }
            }
        }
    }

    /** One instant, one transaction. Returns false if firing must stop for now. */
    private boolean fire(ScheduleSpec schedule, DueInstant due, Instant now) {
        try {
            producer.beginTransaction();
            String triggerId = null;
            if (due.emit()) {
                PipelineTriggered trigger = Triggers.scheduled(schedule, due.instant(), now);
                triggerId = trigger.getTriggerId();
                producer.send(new ProducerRecord<>(Topics.PIPELINE_TRIGGERS.name(), triggerId, trigger));
            }
            producer.send(new ProducerRecord<>(PARTITION.topic(), PARTITION.partition(), schedule.name(),
                    Triggers.fired(schedule, due.instant(), triggerId, now)));
            producer.commitTransaction();
        } catch (KafkaException e) {
            if (isFenced(e)) {
                log.warn("Another scheduler replica took over (producer fenced); stepping down and rejoining the group");
                stepDown();
                consumer.enforceRebalance("scheduler leader was fenced");
            } else {
                log.warn("Firing {} at {} failed, retrying on the next tick: {}", schedule.name(), due.instant(), e.toString());
                failedInTick(e);
                abortOrStepDown();
            }
            return false;
        }
        lastFired.merge(schedule.name(), due.instant(), (a, b) -> a.isAfter(b) ? a : b);
        if (due.missed()) {
            metrics.missed(schedule.name(), schedule.missed());
            log.info("Schedule {} missed instants up to {}: {}", schedule.name(), due.instant(),
                    schedule.missed() == MissedPolicy.SKIP ? "skipped" : "fired once");
        }
        if (due.emit()) {
            metrics.triggered(schedule.name());
        }
        return true;
    }

    private static boolean isFenced(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof ProducerFencedException || cause instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    private void abortOrStepDown() {
        try {
            producer.abortTransaction();
        } catch (KafkaException abortFailure) {
            // The producer is unusable; a fresh one (and a fresh fence) on the next tick.
            stepDown();
        }
    }

    private void stepDown() {
        if (leading) {
            log.info("This replica stops leading the scheduler");
        }
        leading = false;
        metrics.leading(false);
        closeProducer();
    }

    private void closeProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                log.debug("Closing the leader producer failed", e);
            }
            producer = null;
        }
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> config = new HashMap<>(kafka.buildConsumerProperties());
        config.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
        config.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
        config.putIfAbsent(ConsumerConfig.GROUP_ID_CONFIG, "tally-scheduler");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // Leadership reads the whole topic on every assignment, so committed offsets would never be used.
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return config;
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> config = new HashMap<>(kafka.buildProducerProperties());
        config.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
        config.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, LEADER_TRANSACTIONAL_ID);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        return config;
    }

    /** Leadership follows the assignment of partition 0; callbacks run on the leader thread inside poll(). */
    private final class Leadership implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // Called after every rebalance, with no partitions for a standby: the member is in the group.
            joined = true;
            if (partitions.contains(PARTITION)) {
                assigned = true;
                consumer.seekToBeginning(List.of(PARTITION));
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.contains(PARTITION)) {
                assigned = false;
                stepDown();
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }
    }

    @Override
    public int getPhase() {
        // Stop before the web server and Kafka infrastructure, start after them.
        return SmartLifecycle.DEFAULT_PHASE - 1;
    }
}
