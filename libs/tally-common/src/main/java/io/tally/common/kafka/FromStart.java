package io.tally.common.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads topics from their beginning with an assigned consumer, without a consumer group: for tables read whole at
 * start (definitions, cancelled jobs) and for tools and checks that count records. A subscribed member without
 * commits would start over after a rebalance (a late heartbeat on a busy machine is enough), and a record read twice
 * would look like a duplicate effect.
 */
public final class FromStart {

    private static final Duration POLL = Duration.ofMillis(200);

    private FromStart() {
    }

    /** Assigns every partition of {@code topics} at its beginning; returns them, empty while no topic exists yet. */
    public static List<TopicPartition> assign(Consumer<?, ?> consumer, Collection<String> topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic).forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return partitions;
    }

    /**
     * Every record of {@code topics} up to their end offsets as this call found them. With {@code read_committed} the
     * end is the last stable offset, so an open transaction is waited for, never read.
     *
     * @throws IllegalStateException when the end is not reached within {@code timeout}
     */
    public static <K, V> List<ConsumerRecord<K, V>> readToEnd(Consumer<K, V> consumer, Collection<String> topics,
                                                            Duration timeout) {
        List<TopicPartition> partitions = assign(consumer, topics);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        List<ConsumerRecord<K, V>> records = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read " + topics + " to " + ends + " within " + timeout);
            }
            for (ConsumerRecord<K, V> record : consumer.poll(POLL)) {
                if (record.offset() < ends.get(new TopicPartition(record.topic(), record.partition()))) {
                    records.add(record);
                }
            }
        }
        return records;
    }
}
