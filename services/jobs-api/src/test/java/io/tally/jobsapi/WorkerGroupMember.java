package io.tally.jobsapi;

import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.awaitility.Awaitility.await;

import io.tally.testsupport.KafkaTestClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** A consumer group member on a task topic, polled until it holds a partition, as a worker would be. */
final class WorkerGroupMember {

    private WorkerGroupMember() {
    }

    /** Joins {@code group} on {@code topic}, as a static member {@code instanceId} when it is not null. */
    static KafkaConsumer<byte[], byte[]> join(KafkaTestClient kafka, String group, String instanceId, String topic) {
        Map<String, Object> config = new HashMap<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
        if (instanceId != null) {
            config.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId);
        }
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config);
        consumer.subscribe(List.of(topic));
        await().atMost(WAIT).until(() -> {
            consumer.poll(Duration.ofMillis(200));
            return !consumer.assignment().isEmpty();
        });
        return consumer;
    }
}
