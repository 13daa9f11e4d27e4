package io.tally.cli;

import io.tally.common.kafka.AvroSerdes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** What the end-to-end tests read from a running local stack's topics, as a consumer sees them (read_committed). */
final class StackTopics {

    private StackTopics() {
    }

    /** Follows one job until it has settled (then a few seconds more, to catch a duplicate) or {@code settle} passed. */
    static PipelineWatcher.Outcome watch(String bootstrapServers, AvroSerdes serdes, String jobId, Duration settle) {
        try (PipelineWatcher watcher = new PipelineWatcher(bootstrapServers, serdes, jobId, System.out::println)) {
            return watcher.await(settle, Duration.ofSeconds(3));
        }
    }

    /** Every committed record of {@code topic}, from the beginning. */
    static List<ConsumerRecord<String, byte[]>> readAll(String bootstrapServers, String topic) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            FromStart.assign(consumer, List.of(topic));
            int emptyPolls = 0;
            // Read until a few polls in a row bring nothing: the topic's committed end.
            while (emptyPolls < 5) {
                var polled = consumer.poll(Duration.ofMillis(500));
                emptyPolls = polled.isEmpty() ? emptyPolls + 1 : 0;
                polled.forEach(records::add);
            }
        }
        return records;
    }
}
