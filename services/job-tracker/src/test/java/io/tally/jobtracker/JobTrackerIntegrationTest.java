package io.tally.jobtracker;

import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.health.KafkaStreamsHealth;
import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.ItemProcessed;
import io.tally.events.JobCompleted;
import io.tally.events.JobCreated;
import io.tally.localruntime.SchemaRegistryProcess;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.ServiceHttp;
import io.tally.testsupport.TallyServiceTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The tracker as a whole service on a real KRaft broker (in-JVM) and a real Apicurio registry process, with
 * exactly_once_v2, the dead-letter topic and the actuator endpoints.
 */
@TallyServiceTest(properties = {
        "tally.tracker.status-interval=100ms"})
class JobTrackerIntegrationTest {

    @Autowired
    KafkaStreamsHealth streams;

    @Autowired
    ServiceHttp http;

    @Autowired
    KafkaTestClient kafka;

    @Test
    void countsAJobToExactlyOneCompletionWithDuplicatesAndEarlyItems() throws Exception {
        // Given a job of 40 items, sent shuffled with 12 redeliveries, some before the JobCreated
        String jobId = "it-" + UUID.randomUUID();
        List<ItemProcessed> items = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            items.add(item(jobId, "track-" + i, i % 10 == 0 ? ItemOutcome.FAILED : ItemOutcome.SUCCEEDED));
        }
        Random random = new Random(7);
        for (int i = 0; i < 12; i++) {
            items.add(items.get(random.nextInt(40)));
        }
        Collections.shuffle(items, random);
        // When they are produced
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            for (int i = 0; i < items.size(); i++) {
                if (i == 10) {
                    producer.send(new ProducerRecord<>(Topics.JOB_CREATED.name(), jobId, created(jobId, 40)));
                }
                producer.send(new ProducerRecord<>(Topics.ITEM_PROCESSED.name(), jobId, items.get(i)));
            }
        }
        // Then a read_committed consumer sees exactly one completion, with the distinct counts
        List<JobCompleted> completions = readCompletions(jobId, 1);
        assertThat(completions).singleElement().satisfies(done -> {
            assertThat(done.getSucceededCount()).isEqualTo(36);
            assertThat(done.getFailedCount()).isEqualTo(4);
        });
    }

    @Test
    void writesConfluentFramedValuesWhoseSchemaIdResolvesAtTheRegistry() throws Exception {
        // Given an empty job, which completes at once
        String jobId = "framing-" + UUID.randomUUID();
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(Topics.JOB_CREATED.name(), jobId, created(jobId, 0)));
        }
        // When the raw bytes of its completion are read
        byte[] value = kafka.awaitFirstRaw(Topics.JOB_COMPLETED.name(), jobId, WAIT).value();
        // Then they start with magic byte 0 and a 4-byte id that the Confluent-compatible API resolves
        assertThat(value[0]).isZero();
        int schemaId = ByteBuffer.wrap(value, 1, 4).getInt();
        HttpResponse<String> schema = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(SchemaRegistryProcess.shared().ccompatUrl() + "/schemas/ids/" + schemaId)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(schema.statusCode()).isEqualTo(200);
        assertThat(schema.body()).contains("JobCompleted").contains("io.tally.events");
    }

    @Test
    void deadLettersAPoisonRecordUnderExactlyOnceAndKeepsCounting() throws Exception {
        // Given a job of one item
        String jobId = "poison-" + UUID.randomUUID();
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer();
             KafkaProducer<String, byte[]> raw = kafka.rawProducer()) {
            producer.send(new ProducerRecord<>(Topics.JOB_CREATED.name(), jobId, created(jobId, 1))).get();
            // When a record that is not Avro arrives before the real item
            raw.send(new ProducerRecord<>(Topics.ITEM_PROCESSED.name(), jobId, "not avro".getBytes(StandardCharsets.UTF_8))).get();
            producer.send(new ProducerRecord<>(Topics.ITEM_PROCESSED.name(), jobId, item(jobId, "a", ItemOutcome.SUCCEEDED))).get();
        }
        // Then the job still completes, the poison record is in the dead-letter topic with its reason,
        // and the streams client is still running
        assertThat(readCompletions(jobId, 1)).hasSize(1);
        ConsumerRecord<String, byte[]> deadLetter = kafka.awaitFirstRaw(Topics.JOB_TRACKER_DLT.name(), jobId, WAIT);
        assertThat(new String(deadLetter.value(), StandardCharsets.UTF_8)).isEqualTo("not avro");
        assertThat(DeadLetterHeaders.reason(deadLetter.headers())).contains("magic byte");
        assertThat(DeadLetterHeaders.originalTopic(deadLetter.headers())).isEqualTo(Topics.ITEM_PROCESSED.name());
        assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
    }

    @Test
    void reportsReadinessFromTheStreamsStateAndExposesPrometheusMetrics() throws Exception {
        // When the probes and the metrics are read from a running tracker
        HttpResponse<String> readiness = http.get("/actuator/health/readiness");
        HttpResponse<String> liveness = http.get("/actuator/health/liveness");
        HttpResponse<String> prometheus = http.get("/actuator/prometheus");
        // Then both probes are up and the tracker's own metrics are exported
        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(readiness.body()).contains("\"kafkaStreams\"").contains("RUNNING");
        assertThat(liveness.statusCode()).isEqualTo(200);
        assertThat(prometheus.statusCode()).isEqualTo(200);
        assertThat(prometheus.body()).contains("tally_tracker_jobs_started_total").contains("kafka_stream")
                .containsPattern("tally_streams_running\\{[^}]*application=\"job-tracker\"[^}]*} 1\\.0");
    }

    /** The completions of {@code jobId}, read on past the expected count so a duplicate completion would be seen. */
    private List<JobCompleted> readCompletions(String jobId, int expected) {
        return kafka.await(Topics.JOB_COMPLETED.name(), JobCompleted.class, KafkaTestClient.withKey(jobId), expected, WAIT)
                .stream().map(ConsumerRecord::value).toList();
    }

    private static JobCreated created(String jobId, int expected) {
        return JobCreated.newBuilder().setJobId(jobId).setPipeline("it").setSourceRef("it/" + jobId)
                .setExpectedCount(expected).setCreatedAt(Instant.now()).build();
    }

    private static ItemProcessed item(String jobId, String itemId, ItemOutcome outcome) {
        return ItemProcessed.newBuilder().setJobId(jobId).setItemId(itemId).setOutcome(outcome)
                .setError(outcome == ItemOutcome.FAILED ? "not found" : null).setProcessedAt(Instant.now()).build();
    }
}
