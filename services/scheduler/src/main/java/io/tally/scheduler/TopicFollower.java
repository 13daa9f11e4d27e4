package io.tally.scheduler;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.kafka.FromStart;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.SmartLifecycle;

/**
 * Follows one compacted one-partition topic of the scheduler's state from its beginning, committed records only, for as
 * long as the replica runs: the pipeline definitions, and the run-time schedule changes. Every replica follows them,
 * leading or not. It reads with an assigned consumer and no group: the whole topic is the state, nothing is committed,
 * and after a failure it reads the topic again from its beginning (records are keyed, so that changes nothing).
 * A record that is not the topic's Avro type is skipped with a warning. Known gap: until the topic has been read once
 * after start, the replica does not know its state.
 *
 * @param <V> the topic's value type
 */
public abstract class TopicFollower<V extends SpecificRecord> implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(TopicFollower.class);
    private static final Duration POLL = Duration.ofMillis(500);
    /** Wait before looking for the topic again, or before a fresh consumer after a failure. */
    private static final Duration RETRY = Duration.ofSeconds(1);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(30);

    private final String topic;
    private final Class<V> type;
    private final KafkaProperties kafka;
    private final AvroSerdes serdes;
    private final ReaderThread loop;
    /** Whether the topic has been read to the end it had when this replica first assigned it (or does not exist). */
    private volatile boolean caughtUp;

    protected TopicFollower(String topic, Class<V> type, String threadName, KafkaProperties kafka, AvroSerdes serdes) {
        this.topic = topic;
        this.type = type;
        this.kafka = kafka;
        this.serdes = serdes;
        this.loop = new ReaderThread(threadName);
    }

    /** Called on the follower's thread with every non-empty batch of records, in offset order. */
    protected abstract void apply(ConsumerRecords<String, V> records);

    /**
     * Whether the state is whole: the topic was read to the end offsets it had when first assigned, or it does not
     * exist (then there is no state to read). The leader fires nothing before both followers are caught up, so a
     * schedule disabled at run time cannot fire in the moment after a start.
     */
    public boolean caughtUp() {
        return caughtUp;
    }

    @Override
    public void start() {
        loop.start(this::run);
    }

    @Override
    public void stop() {
        loop.stop(JOIN_TIMEOUT);
    }

    @Override
    public boolean isRunning() {
        return loop.running();
    }

    private void run() {
        while (loop.running()) {
            try (KafkaConsumer<String, V> client = new KafkaConsumer<>(consumerConfig(), new StringDeserializer(),
                    serdes.deserializer(type))) {
                loop.polling(client);
                follow(client);
            } catch (WakeupException e) {
                // stop() woke the consumer up: leave the loop.
            } catch (RuntimeException e) {
                LOG.warn("Reading {} failed; reading it again from its beginning in {}", topic, RETRY, e);
                loop.pause(RETRY);
            } finally {
                loop.polling(null);
            }
        }
    }

    private void follow(KafkaConsumer<String, V> client) {
        // The catalogue's topics are created at start, but possibly by another service that is still starting.
        boolean told = false;
        while (loop.running() && FromStart.assign(client, List.of(topic)).isEmpty()) {
            if (!told) {
                LOG.info("Topic {} does not exist yet; looking for it every {}", topic, RETRY);
                told = true;
            }
            // A topic that does not exist holds no state: nothing to wait for.
            caughtUp = true;
            loop.pause(RETRY);
        }
        Map<TopicPartition, Long> end = client.endOffsets(client.assignment());
        while (loop.running()) {
            if (!caughtUp && end.entrySet().stream().allMatch(e -> client.position(e.getKey()) >= e.getValue())) {
                caughtUp = true;
            }
            ConsumerRecords<String, V> records;
            try {
                records = client.poll(POLL);
            } catch (RecordDeserializationException e) {
                // Only the scheduler's own writers write here; a foreign record must not stop the schedules.
                LOG.warn("Skipping unreadable record at {} offset {}: {}", e.topicPartition(), e.offset(), e.getMessage());
                client.seek(e.topicPartition(), e.offset() + 1);
                continue;
            }
            if (!records.isEmpty()) {
                apply(records);
            }
        }
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> config = new HashMap<>(kafka.buildConsumerProperties());
        config.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
        config.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
        // Assigned, not subscribed: the leadership group and its static member id are the leader's, not this reader's.
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return config;
    }
}
