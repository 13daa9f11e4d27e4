package io.tally.jobsapi.replay;

import io.tally.jobsapi.ApiProperties;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;

/**
 * Reads offset ranges of a topic as raw bytes (read_committed, no consumer group, so nothing is committed anywhere)
 * and writes raw records back in one Kafka transaction. Raw bytes keep keys, Avro values (with their schema ids) and
 * headers exactly as they were; nothing is deserialized.
 * <p>
 * The producer factory and template are private on purpose: declared as beans they would make Spring Boot back off
 * from the service's own Avro {@code KafkaTemplate}. Known gap: one transaction per request, so a range that takes
 * longer than the producer's {@code transaction.timeout.ms} (60 s) to read and write is aborted; split it.
 */
@Component
public class RawRecordLog implements DisposableBean {

    private final Map<String, Object> clientConfig;
    private final DefaultKafkaProducerFactory<byte[], byte[]> producers;
    private final KafkaTemplate<byte[], byte[]> template;
    private final ApiProperties properties;

    public RawRecordLog(KafkaAdmin kafkaAdmin, ApiProperties properties,
            @Value("${spring.kafka.producer.transaction-id-prefix}") String transactionIdPrefix) {
        this.properties = properties;
        this.clientConfig = new HashMap<>(kafkaAdmin.getConfigurationProperties());
        // Admin-only keys would only be logged as unknown by the consumer and the producer.
        this.clientConfig.keySet().removeIf(key -> key.equals(AdminClientConfig.CLIENT_ID_CONFIG));
        Map<String, Object> producerConfig = new HashMap<>(clientConfig);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerConfig.put(ProducerConfig.CLIENT_ID_CONFIG, "tally-jobs-api-replay");
        this.producers = new DefaultKafkaProducerFactory<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
        // A suffix of the service's prefix: unique per instance like it, and distinct from the Avro producer's ids.
        this.producers.setTransactionIdPrefix(transactionIdPrefix + "replay-");
        this.template = new KafkaTemplate<>(producers);
    }

    /** Offsets of one partition: {@code from} inclusive, {@code to} exclusive. */
    public record Range(long from, long to) {

        boolean isEmpty() {
            return to <= from;
        }
    }

    /** First and next-to-write (read_committed end) offsets of every partition of {@code topic} at this moment. */
    public Map<TopicPartition, Range> bounds(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, properties.adminTimeout()).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, properties.adminTimeout());
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, properties.adminTimeout());
            Map<TopicPartition, Range> bounds = new HashMap<>();
            partitions.forEach(partition -> bounds.put(partition, new Range(begin.get(partition), end.get(partition))));
            return bounds;
        }
    }

    /** Per partition, the first offset whose timestamp is at or after {@code time}, or null when there is none. */
    public Map<TopicPartition, Long> offsetsAt(List<TopicPartition> partitions, Instant time) {
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(partition -> query.put(partition, time.toEpochMilli()));
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, properties.adminTimeout());
            Map<TopicPartition, Long> offsets = new HashMap<>();
            partitions.forEach(partition -> {
                OffsetAndTimestamp hit = found.get(partition);
                offsets.put(partition, hit == null ? null : hit.offset());
            });
            return offsets;
        }
    }

    /**
     * Hands every committed record of the ranges to {@code each}, partition by partition in offset order.
     *
     * @return how many records were handed over
     * @throws ResponseStatusException 503 when the ranges cannot be read within {@code tally.api.replay-timeout}
     */
    public long scan(Map<TopicPartition, Range> ranges, Consumer<ConsumerRecord<byte[], byte[]>> each) {
        Map<TopicPartition, Range> wanted = new HashMap<>(ranges);
        wanted.values().removeIf(Range::isEmpty);
        if (wanted.isEmpty()) {
            return 0;
        }
        long count = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            consumer.assign(wanted.keySet());
            wanted.forEach((partition, range) -> consumer.seek(partition, range.from()));
            long deadline = System.nanoTime() + properties.replayTimeout().toNanos();
            while (wanted.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue().to())) {
                if (System.nanoTime() > deadline) {
                    throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "could not read " + wanted
                            + " within " + properties.replayTimeout() + "; retry with a smaller range");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(properties.adminTimeout().dividedBy(10))) {
                    Range range = wanted.get(new TopicPartition(record.topic(), record.partition()));
                    if (record.offset() >= range.from() && record.offset() < range.to()) {
                        each.accept(record);
                        count++;
                    }
                }
            }
        }
        return count;
    }

    /** Runs {@code work} in one Kafka transaction of the raw producer: all its sends are visible, or none. */
    public <T> T inTransaction(KafkaOperations.OperationsCallback<byte[], byte[], T> work) {
        return template.executeInTransaction(work);
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "tally-jobs-api-replay");
        // Aborted or still-open transactions are not records of the log; redrive and replay must not resurrect them.
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public void destroy() {
        producers.destroy();
    }
}
