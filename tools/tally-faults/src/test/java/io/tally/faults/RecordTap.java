package io.tally.faults;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What the duplicators of the fault tests ({@link FanJoin.Duplicator}, {@link CelebrityInjector}) share: a daemon
 * thread that reads topics from now on, {@code read_committed}, hands each record a test did not inject to a handler,
 * and lets the handler re-send it byte for byte with every header, marked {@link ExactlyOnceChecker#INJECTED_HEADER}
 * (so a copy is never copied again and the checker does not take it for an outcome).
 */
final class RecordTap implements AutoCloseable {

    /** Called on the tap's thread for each record that is not an injected copy. */
    interface Handler {
        void onRecord(ConsumerRecord<String, byte[]> record);
    }

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final KafkaProducer<String, byte[]> producer;
    private final Thread thread;

    RecordTap(FaultStack stack, String name, List<String> topics, Handler handler) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.CLIENT_ID_CONFIG, "tally-faults-" + name + "-" + UUID.randomUUID(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = topics.stream().flatMap(topic -> consumer.partitionsFor(topic).stream())
                .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        // Resolve the positions now: nothing sent after the constructor returns is missed.
        partitions.forEach(consumer::position);
        producer = stack.rawProducer();
        thread = new Thread(() -> {
            try (consumer; producer) {
                while (running.get()) {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                        if (record.headers().lastHeader(ExactlyOnceChecker.INJECTED_HEADER) == null) {
                            handler.onRecord(record);
                        }
                    }
                }
            }
        }, "tally-faults-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Re-sends {@code record} to its partition as it was, marked as an injected duplicate. */
    void copy(ConsumerRecord<String, byte[]> record) {
        ProducerRecord<String, byte[]> copy = new ProducerRecord<>(record.topic(), record.partition(), record.key(),
                record.value(), new RecordHeaders(record.headers().toArray()));
        copy.headers().add(new RecordHeader(ExactlyOnceChecker.INJECTED_HEADER,
                "duplicate".getBytes(StandardCharsets.UTF_8)));
        producer.send(copy);
    }

    /** The last value of a header as text, or {@code null}. */
    static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(5_000);
    }
}
