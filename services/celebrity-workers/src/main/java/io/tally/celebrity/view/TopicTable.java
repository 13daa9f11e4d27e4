package io.tally.celebrity.view;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * An in-memory view of a compacted topic: the latest value per key, read by a plain {@code KafkaConsumer} assigned to
 * every partition from the beginning (no group, like the SDK's cancelled-jobs table), committed records only. It knows
 * how far it has read, so a reader can wait until it has seen a given set of end offsets ({@link #hasRead}). Known
 * gaps: it holds the whole table in memory (fine for the seed's 400 entries, not for millions), and an unreadable
 * record is logged and skipped here (the post-processor is what dead-letters bad entries).
 *
 * @param <V> the value type
 */
public final class TopicTable<V> implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(TopicTable.class);

    private final String topic;
    private final Map<String, Object> consumerConfig;
    private final Deserializer<V> values;
    private final Map<String, V> table = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile KafkaConsumer<String, V> consumer;
    private Thread thread;

    public TopicTable(String topic, String bootstrapServers, Deserializer<V> values) {
        this.topic = topic;
        this.values = values;
        this.consumerConfig = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "tally-celebrities-view-" + topic + "-" + UUID.randomUUID(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    }

    public String topic() {
        return topic;
    }

    /** The latest value of {@code key}, if the view has one. */
    public Optional<V> get(String key) {
        return Optional.ofNullable(table.get(key));
    }

    /** Every current value (a live view: it may change while it is read). */
    public Collection<V> values() {
        return table.values();
    }

    /** Whether the view has read every partition up to at least {@code endOffsets} (partitions not named: any). */
    public boolean hasRead(Map<TopicPartition, Long> endOffsets) {
        for (Map.Entry<TopicPartition, Long> end : endOffsets.entrySet()) {
            if (end.getValue() > 0 && positions.getOrDefault(end.getKey(), 0L) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void start() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        thread = new Thread(this::run, "celebrity-view-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try (KafkaConsumer<String, V> reader = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), values)) {
            consumer = reader;
            List<TopicPartition> partitions = awaitPartitions(reader);
            reader.assign(partitions);
            reader.seekToBeginning(partitions);
            while (running.get()) {
                org.apache.kafka.clients.consumer.ConsumerRecords<String, V> records;
                try {
                    records = reader.poll(Duration.ofMillis(200));
                } catch (RecordDeserializationException e) {
                    LOG.warn("Skipping the unreadable record {}@{} of the view of {}: {}", e.topicPartition(), e.offset(),
                            topic, e.getMessage());
                    reader.seek(e.topicPartition(), e.offset() + 1);
                    continue;
                }
                for (ConsumerRecord<String, V> record : records) {
                    if (record.value() == null) {
                        table.remove(record.key());
                    } else {
                        table.put(record.key(), record.value());
                    }
                }
                Map<TopicPartition, Long> read = new HashMap<>();
                for (TopicPartition partition : partitions) {
                    read.put(partition, reader.position(partition));
                }
                positions.putAll(read);
            }
        } catch (WakeupException e) {
            // stop() woke the consumer up.
        } catch (RuntimeException e) {
            if (running.get()) {
                LOG.error("The view of {} stopped: {}", topic, e.getMessage(), e);
            }
        }
    }

    private List<TopicPartition> awaitPartitions(KafkaConsumer<String, V> reader) {
        while (running.get()) {
            var infos = reader.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(info -> new TopicPartition(topic, info.partition())).toList();
            }
            LOG.info("Waiting for topic {} to exist", topic);
        }
        throw new WakeupException();
    }

    @Override
    public void stop() {
        if (running.compareAndSet(true, false)) {
            KafkaConsumer<String, V> reader = consumer;
            if (reader != null) {
                reader.wakeup();
            }
            try {
                thread.join(Duration.ofSeconds(10).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running.get();
    }
}
