package io.tally.jobtracker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.ItemProcessed;
import io.tally.events.JobCompleted;
import io.tally.events.JobCreated;
import io.tally.localruntime.SchemaRegistryProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The tracker against a containerised Apache Kafka broker, for machines with Docker ({@code -Ptestcontainers}).
 * The registry stays the packaged Apicurio process, so the test needs only the Kafka image.
 */
@Testcontainers(disabledWithoutDocker = true)
@SpringBootTest(properties = "spring.kafka.streams.state-dir=target/kafka-streams-state/${random.uuid}")
class JobTrackerContainerTest {

    @Container
    @ServiceConnection
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.2.0");

    @DynamicPropertySource
    static void registry(DynamicPropertyRegistry properties) {
        properties.add("tally.kafka.registry-url", () -> SchemaRegistryProcess.shared().registryV2Url());
    }

    @Autowired
    AvroSerdes serdes;

    @Test
    void completesAJobOnceOnAContainerisedBroker() {
        // Given a job of two items, one delivered twice
        String jobId = "tc-" + UUID.randomUUID();
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBootstrapServers()),
                new StringSerializer(), serdes.serializer())) {
            producer.send(new ProducerRecord<>(Topics.JOB_CREATED.name(), jobId, JobCreated.newBuilder().setJobId(jobId)
                    .setPipeline("tc").setSourceRef("tc").setExpectedCount(2).setCreatedAt(Instant.now()).build()));
            for (String item : List.of("a", "a", "b")) {
                producer.send(new ProducerRecord<>(Topics.ITEM_PROCESSED.name(), jobId, ItemProcessed.newBuilder()
                        .setJobId(jobId).setItemId(item).setOutcome(ItemOutcome.SUCCEEDED).setProcessedAt(Instant.now()).build()));
            }
        }
        // When the completions are read with read_committed
        List<JobCompleted> completions = new ArrayList<>();
        try (KafkaConsumer<String, JobCompleted> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "tc-" + jobId,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), serdes.deserializer(JobCompleted.class))) {
            consumer.subscribe(List.of(Topics.JOB_COMPLETED.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(record -> {
                    if (record.key().equals(jobId)) {
                        completions.add(record.value());
                    }
                });
            }
        }
        // Then there is exactly one, with two items counted
        assertThat(completions).singleElement().extracting(JobCompleted::getSucceededCount).isEqualTo(2);
    }
}
