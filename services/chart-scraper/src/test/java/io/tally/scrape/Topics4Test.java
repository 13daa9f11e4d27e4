package io.tally.scrape;

import io.tally.common.kafka.AvroSerdes;
import io.tally.events.PipelineTriggered;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import java.time.Instant;

/** Test helper: produce triggers and read committed records from the beginning of a topic. */
final class Topics4Test {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private final String brokers;
    private final AvroSerdes serdes;

    Topics4Test(String brokers, AvroSerdes serdes) {
        this.brokers = brokers;
        this.serdes = serdes;
    }

    void sendTrigger(PipelineTriggered trigger) throws Exception {
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers), new StringSerializer(), serdes.serializer())) {
            producer.send(new ProducerRecord<>(io.tally.common.topics.Topics.PIPELINE_TRIGGERS.name(),
                    trigger.getTriggerId(), trigger)).get();
        }
    }

    static PipelineTriggered trigger(String id, String pipeline, Map<String, String> parameters) {
        return PipelineTriggered.newBuilder().setTriggerId("manual:" + id).setJobId("job-" + id).setPipeline(pipeline)
                .setTriggeredAt(Instant.now()).setParameters(parameters).setRequestedBy("test").build();
    }

    /** Avro records of {@code type} on {@code topic} matching {@code filter}: waits for {@code expected}, then a moment more. */
    <T extends SpecificRecord> List<ConsumerRecord<String, T>> await(String topic, Class<T> type, Predicate<T> filter,
            int expected) {
        return awaitWith(topic, serdes.deserializer(type), record -> record.value() != null && filter.test(record.value()),
                expected);
    }

    /** Raw records on {@code topic} matching {@code filter}. */
    List<ConsumerRecord<String, byte[]>> awaitRaw(String topic, Predicate<ConsumerRecord<String, byte[]>> filter,
            int expected) {
        return awaitWith(topic, new ByteArrayDeserializer(), filter, expected);
    }

    private <V> List<ConsumerRecord<String, V>> awaitWith(String topic, Deserializer<V> deserializer,
            Predicate<ConsumerRecord<String, V>> filter, int expected) {
        List<ConsumerRecord<String, V>> found = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), deserializer)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + WAIT.toNanos();
            long settleUntil = Long.MAX_VALUE;
            // Keep reading a little after the expected count, so a duplicate would be seen.
            while (System.nanoTime() < Math.min(deadline, settleUntil)) {
                for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(200))) {
                    if (filter.test(record)) {
                        found.add(record);
                    }
                }
                if (found.size() >= expected && settleUntil == Long.MAX_VALUE) {
                    settleUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                }
            }
        }
        return found;
    }
}
