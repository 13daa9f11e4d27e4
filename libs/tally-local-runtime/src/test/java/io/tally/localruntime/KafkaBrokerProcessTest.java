package io.tally.localruntime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerProcessTest {

    @TempDir
    static Path dataDir;

    private static KafkaBrokerProcess broker;

    @BeforeAll
    static void startBroker() {
        long started = System.nanoTime();
        broker = KafkaBrokerProcess.builder()
                .dataDir(dataDir)
                // After a SIGKILL the restarted controller waits out the dead broker's session before letting the new
                // one in; the default 9 s session would dominate this test's run time.
                .brokerProperty("broker.session.timeout.ms", "3000")
                .brokerProperty("broker.heartbeat.interval.ms", "500")
                .start();
        System.out.printf("Kafka broker process ready in %d ms on %s%n",
                Duration.ofNanos(System.nanoTime() - started).toMillis(), broker.bootstrapServers());
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
            assertThat(broker.isAlive()).isFalse();
        }
    }

    @Test
    void startsABrokerThatCreatesTopicsAndDeliversRecords() throws Exception {
        // Given a running broker process and a new topic
        assertThat(broker.pid()).isNotEqualTo(ProcessHandle.current().pid());
        String topic = createTopic();

        // When a record is produced
        produce(topic, "job-1", "started");

        // Then a consumer reads it back
        assertThat(readAll(topic)).containsExactly("job-1=started");
    }

    @Test
    void keepsRecordsAcrossAKillAndARestart() throws Exception {
        // Given a record acknowledged by the broker
        String topic = createTopic();
        produce(topic, "job-2", "finished");
        long firstPid = broker.pid();
        String bootstrap = broker.bootstrapServers();

        // When the broker process is killed (SIGKILL) and started again on the same data dir
        broker.kill();
        assertThat(broker.isAlive()).isFalse();
        long restarted = System.nanoTime();
        broker.restart();
        System.out.printf("Kafka broker process restarted after SIGKILL in %d ms%n",
                Duration.ofNanos(System.nanoTime() - restarted).toMillis());

        // Then it is a new process at the same address, and the record is still there
        assertThat(broker.pid()).isNotEqualTo(firstPid);
        assertThat(broker.bootstrapServers()).isEqualTo(bootstrap);
        assertThat(readAll(topic)).containsExactly("job-2=finished");
        assertThat(Files.readString(dataDir.resolve("server.properties")))
                .contains("auto.create.topics.enable=false", "transaction.state.log.min.isr=1",
                        "broker.session.timeout.ms=3000");
    }

    private static String createTopic() throws Exception {
        String topic = "test-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
        }
        return topic;
    }

    private static void produce(String topic, String key, String value) throws Exception {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    private static List<String> readAll(String topic) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<String> records = new ArrayList<>();
        // assign() rather than subscribe(): no consumer group, so no wait for __consumer_offsets or a rebalance.
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            Set<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .collect(Collectors.toSet());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    records.add(record.key() + "=" + record.value());
                }
            }
        }
        return records;
    }
}
