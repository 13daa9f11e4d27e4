package io.tally.scheduler;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.events.PipelineTriggered;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Test helper: reads every committed trigger on the trigger topic, the way downstream services see them. */
public final class TriggerTopic {

    private TriggerTopic() {
    }

    /** All committed triggers matching {@code filter}, read from the beginning to the end offsets of the moment of the call. */
    public static List<ConsumerRecord<String, PipelineTriggered>> read(String brokers, AvroSerdes serdes,
            Predicate<PipelineTriggered> filter) {
        List<ConsumerRecord<String, PipelineTriggered>> found = new ArrayList<>();
        try (KafkaConsumer<String, PipelineTriggered> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), serdes.deserializer(PipelineTriggered.class))) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.PIPELINE_TRIGGERS.name()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // read_committed end offsets: everything committed so far, while a leader keeps writing.
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + Topics.PIPELINE_TRIGGERS.name() + " to " + end);
                }
                for (ConsumerRecord<String, PipelineTriggered> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))
                            && filter.test(record.value())) {
                        found.add(record);
                    }
                }
            }
        }
        return found;
    }
}
