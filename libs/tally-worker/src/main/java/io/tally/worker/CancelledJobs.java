package io.tally.worker;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.kafka.FromStart;
import io.tally.common.topics.Topics;
import io.tally.events.JobCancelled;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The compacted {@code tally.jobs.cancelled} table as this worker sees it: one plain {@code KafkaConsumer} without a
 * group, assigned every partition from the beginning, on a thread of its own; a tombstone takes a job out again.
 * No GlobalKTable, because a worker has no Kafka Streams runtime and needs no state store for a set of ids.
 * Known gap: it is eventually consistent. A task requested just after its job was cancelled runs if the cancel has
 * not been read yet; the engine ignores results of a cancelled job anyway.
 */
public final class CancelledJobs implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(CancelledJobs.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final Map<String, Object> consumerConfig;
    private final AvroSerdes serdes;
    private final Set<String> cancelled = ConcurrentHashMap.newKeySet();
    private volatile KafkaConsumer<String, JobCancelled> consumer;
    private volatile Thread thread;
    private volatile boolean running;

    /** @param clientConfig Kafka client settings (bootstrap servers, security); group settings are dropped */
    public CancelledJobs(Map<String, Object> clientConfig, AvroSerdes serdes) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
        config.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
        this.consumerConfig = config;
        this.serdes = serdes;
    }

    /** True once {@code jobId} has been read as cancelled. */
    public boolean isCancelled(String jobId) {
        return cancelled.contains(jobId);
    }

    @Override
    public void start() {
        running = true;
        consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                serdes.deserializer(JobCancelled.class));
        thread = new Thread(this::run, "tally-worker-cancelled-jobs");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            assignFromStart();
            while (running) {
                for (ConsumerRecord<String, JobCancelled> record : consumer.poll(POLL)) {
                    if (record.key() == null) {
                        continue;
                    }
                    if (record.value() == null) {
                        cancelled.remove(record.key());
                    } else {
                        cancelled.add(record.key());
                    }
                }
            }
        } catch (WakeupException e) {
            // stop() woke the poll up.
        } catch (RuntimeException e) {
            LOG.error("Stopped reading {}: cancellations are no longer seen by this worker", Topics.JOBS_CANCELLED.name(), e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    // The topic is a catalogue topic; on a fresh cluster it may appear a moment after this worker starts.
    private void assignFromStart() {
        while (running && FromStart.assign(consumer, List.of(Topics.JOBS_CANCELLED.name())).isEmpty()) {
            sleep();
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void stop() {
        running = false;
        KafkaConsumer<String, JobCancelled> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        Thread current2 = thread;
        if (current2 != null) {
            try {
                current2.join(Duration.ofSeconds(10).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
