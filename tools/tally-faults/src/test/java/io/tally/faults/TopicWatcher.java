package io.tally.faults;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Notes the wall-clock moment each record of one topic becomes visible to a {@code read_committed} reader, from now
 * on, so a test can measure recovery as "from the fault to the next committed output" (e.g. {@code JobCompleted}).
 * Timing and progress only: correctness is the checker's job.
 */
final class TopicWatcher implements AutoCloseable {

    /** A record with {@code key} seen at {@code seenAt}. */
    record Seen(String key, Instant seenAt) {
    }

    private final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    TopicWatcher(String bootstrapServers, String topic) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "tally-faults-watcher-" + UUID.randomUUID(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        thread = new Thread(() -> {
            try (consumer) {
                while (running.get()) {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        seen.add(new Seen(record.key(), Instant.now()));
                    }
                }
            }
        }, "tally-faults-watcher-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    /** How many records whose key matches were seen so far. */
    long count(java.util.function.Predicate<String> key) {
        return seen.stream().map(Seen::key).filter(k -> k != null && key.test(k)).count();
    }

    /** How long after {@code from} the first record was seen, or {@code null} if none was seen since. */
    Duration firstCompletionAfter(Instant from) {
        return seen.stream().map(Seen::seenAt).filter(at -> !at.isBefore(from)).min(Instant::compareTo)
                .map(at -> Duration.between(from, at)).orElse(null);
    }

    /** How long after {@code from} the last record was seen (the end of the catch-up), or {@code null}. */
    Duration lastCompletionAfter(Instant from) {
        return seen.stream().map(Seen::seenAt).filter(at -> !at.isBefore(from)).max(Instant::compareTo)
                .map(at -> Duration.between(from, at)).orElse(null);
    }

    @Override
    public void close() {
        running.set(false);
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
