package io.tally.jobsapi;

import static io.tally.jobsapi.JobsApiTest.ADMIN_KEY;
import static io.tally.jobsapi.JobsApiTest.USER_KEY;
import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.events.PipelineTriggered;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.ServiceHttp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Dead-letter listing and redrive, topic replay and job re-run on a real KRaft broker and a real Apicurio registry.
 * Same configuration as {@link JobsApiIntegrationTest} so the context (and broker) is shared; these tests use other
 * dead-letter topics than that class's stats test, which counts the track-search and job-tracker DLTs.
 */
@JobsApiTest
class ReplayAndRedriveIntegrationTest {

    /** Creates topics a worker would have created at start-up (the broker creates none by itself). */
    private void createIfAbsent(String... topics) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            List<String> existing = List.copyOf(admin.listTopics().names().get());
            List<NewTopic> missing = java.util.Arrays.stream(topics).filter(topic -> !existing.contains(topic))
                    .map(topic -> new NewTopic(topic, 1, (short) 1)).toList();
            admin.createTopics(missing).all().get();
        }
    }

    private static final String ATTEMPTS = "retry_topic-attempts";

    @Autowired
    JsonMapper json;

    @Autowired
    ServiceHttp http;
    @Autowired
    KafkaTestClient kafka;

    @Test
    void listsTheDeadLettersOfATopicWithOriginalTopicAndReason() throws Exception {
        // Given a dead letter the chart processor wrote with Spring's headers and Tally's reason
        String key = "list-" + UUID.randomUUID();
        String topic = Topics.CHART_PROCESSOR_DLT.name();
        RecordMetadata written = send(topic, key, "not a chart".getBytes(StandardCharsets.UTF_8),
                header("kafka_dlt-original-topic", Topics.CHARTS_PUBLISHED.name()),
                header("tally_dlt-reason", "chart has no tracks"));

        // When an admin lists the topic
        HttpResponse<String> response = get("/api/admin/dead-letters/" + topic + "?limit=50", ADMIN_KEY);

        // Then the record is there with where it came from, why it failed and its size
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<JsonNode> entries = new ArrayList<>();
        json.readTree(response.body()).forEach(entries::add);
        assertThat(entries).filteredOn(entry -> entry.get("key").asString().equals(key)).singleElement().satisfies(entry -> {
            assertThat(entry.get("partition").asInt()).isEqualTo(written.partition());
            assertThat(entry.get("offset").asLong()).isEqualTo(written.offset());
            assertThat(entry.get("originalTopic").asString()).isEqualTo(Topics.CHARTS_PUBLISHED.name());
            assertThat(entry.get("reason").asString()).isEqualTo("chart has no tracks");
            assertThat(entry.get("valueSize").asInt()).isEqualTo(11);
            assertThat(entry.hasNonNull("timestamp")).isTrue();
        });
    }

    @Test
    void redriveAllSendsDeadLettersBackToTheirOriginalTopicWithoutErrorHeadersButWithTheirAttempts() throws Exception {
        // Given a failed search dead-lettered by the search-track worker from a retry topic, and a dead letter that names
        // no original topic
        String key = "redrive-" + UUID.randomUUID();
        String topic = TaskHeaders.deadLetterTopic("search-track");
        String requests = TaskHeaders.requestTopic("search-track");
        createIfAbsent(topic, requests);
        byte[] value = ("search " + key).getBytes(StandardCharsets.UTF_8);
        byte[] attempts = ByteBuffer.allocate(Integer.BYTES).putInt(4).array();
        send(topic, key, value,
                new RecordHeader(ATTEMPTS, attempts),
                header("trace-id", "t-1"),
                header("kafka_dlt-original-topic", requests + "-retry-2000"),
                header("kafka_dlt-exception-message", "503 from search"),
                header("kafka_exception-message", "503 from search"),
                header("tally_dlt-reason", "503 from search"),
                header("__streams.errors.message", "boom"));
        send(topic, "orphan-" + key, value, header("tally_dlt-reason", "no origin"));

        // When an admin redrives every record of the topic
        HttpResponse<String> response = post("/api/admin/dead-letters/" + topic + "/redrive", ADMIN_KEY, "{\"all\": true}");

        // Then both are selected, the search is redriven and the orphan skipped
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode counts = json.readTree(response.body());
        assertThat(counts.get("selected").asLong()).isEqualTo(2);
        assertThat(counts.get("redriven").asLong()).isEqualTo(1);
        assertThat(counts.get("skipped").asLong()).isEqualTo(1);
        // And the search is back on the request topic once, with key and value equal and only the error headers gone
        List<ConsumerRecord<String, byte[]>> redriven = kafka.awaitRaw(requests, KafkaTestClient.withKey(key), 1, WAIT);
        assertThat(redriven).singleElement().satisfies(record -> {
            assertThat(record.value()).isEqualTo(value);
            assertThat(headerNames(record)).containsExactlyInAnyOrder(ATTEMPTS, "trace-id");
            assertThat(record.headers().lastHeader(ATTEMPTS).value()).isEqualTo(attempts);
        });
        assertThat(kafka.awaitRaw(requests, KafkaTestClient.withKey("orphan-" + key), 0,
                Duration.ofSeconds(2))).isEmpty();
    }

    @Test
    void redrivesATaskTypesDeadLetterToItsRequestTopicWithItsTaskHeaders() throws Exception {
        // Given a task request dead-lettered by its worker from a retry topic, on a DLT that came with a pipeline
        String key = "task-" + UUID.randomUUID();
        String topic = "tally.dlt.tasks.echo-" + key.substring(5, 13);
        String requests = "tally.tasks.echo-" + key.substring(5, 13);
        byte[] value = ("input " + key).getBytes(StandardCharsets.UTF_8);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            // A worker creates both at start-up; the broker creates no topic by itself.
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1), new NewTopic(requests, 1, (short) 1))).all().get();
        }
        send(topic, key, value,
                header("ce_id", key + "/work/e1#1"),
                header("ce_tallystage", "work"),
                header("kafka_dlt-original-topic", requests + "-retry-1000"),
                header("tally_dlt-reason", "echo failed 3 times"));

        // When an admin lists and redrives it
        HttpResponse<String> listed = get("/api/admin/dead-letters/" + topic + "?limit=50", ADMIN_KEY);
        HttpResponse<String> response = post("/api/admin/dead-letters/" + topic + "/redrive", ADMIN_KEY, "{\"all\": true}");

        // Then it is listed with its reason, and goes back to the task type's request topic with its task headers
        assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
        assertThat(listed.body()).contains("echo failed 3 times").contains(requests);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(json.readTree(response.body()).get("redriven").asLong()).isEqualTo(1);
        assertThat(kafka.awaitRaw(requests, KafkaTestClient.withKey(key), 1, WAIT)).singleElement().satisfies(record -> {
            assertThat(record.value()).isEqualTo(value);
            assertThat(headerNames(record)).containsExactlyInAnyOrder("ce_id", "ce_tallystage");
        });
    }

    @Test
    void redrivesOnlyTheSelectedOffsetsAndAnswers404ForAnOffsetWithoutRecord() throws Exception {
        // Given two dead letters of the chart processor
        String topic = Topics.CHART_PROCESSOR_DLT.name();
        String first = "first-" + UUID.randomUUID();
        String second = "second-" + UUID.randomUUID();
        send(topic, first, new byte[] {1}, header("kafka_dlt-original-topic", Topics.PIPELINE_TRIGGERS.name()));
        RecordMetadata chosen = send(topic, second, new byte[] {2},
                header("kafka_dlt-original-topic", Topics.PIPELINE_TRIGGERS.name()));

        // When an admin redrives only the second one, and then an offset past the end
        HttpResponse<String> response = post("/api/admin/dead-letters/" + topic + "/redrive", ADMIN_KEY,
                "{\"offsets\": [{\"partition\": %d, \"offset\": %d}]}".formatted(chosen.partition(), chosen.offset()));
        HttpResponse<String> missing = post("/api/admin/dead-letters/" + topic + "/redrive", ADMIN_KEY,
                "{\"offsets\": [{\"partition\": 0, \"offset\": 999999}]}");

        // Then only the second is back on the trigger topic, and the missing offset is a 404
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(json.readTree(response.body()).get("redriven").asLong()).isEqualTo(1);
        assertThat(kafka.awaitRaw(Topics.PIPELINE_TRIGGERS.name(), KafkaTestClient.withKey(second), 1, WAIT)).hasSize(1);
        assertThat(kafka.awaitRaw(Topics.PIPELINE_TRIGGERS.name(), KafkaTestClient.withKey(first), 0,
                Duration.ofSeconds(2))).isEmpty();
        assertThat(missing.statusCode()).as(missing.body()).isEqualTo(404);
    }

    @Test
    void refusesUsersOnDeadLetterAndReplayEndpointsAndAnswers404ForTopicsThatAreNotDeadLetters() throws Exception {
        // When a USER lists, redrives and replays, and an admin names a topic that is not a dead-letter topic
        HttpResponse<String> list = get("/api/admin/dead-letters/" + TaskHeaders.deadLetterTopic("search-track"), USER_KEY);
        HttpResponse<String> redrive = post("/api/admin/dead-letters/" + TaskHeaders.deadLetterTopic("search-track")
                + "/redrive", USER_KEY, "{\"all\": true}");
        HttpResponse<String> replay = post("/api/admin/replay", USER_KEY,
                "{\"topic\": \"tally.jobs.items\", \"fromOffset\": 0, \"dryRun\": true}");
        HttpResponse<String> notDeadLetters = get("/api/admin/dead-letters/" + Topics.ITEM_PROCESSED.name(), ADMIN_KEY);
        HttpResponse<String> redriveNotDeadLetters = post("/api/admin/dead-letters/" + Topics.ITEM_PROCESSED.name()
                + "/redrive", ADMIN_KEY, "{\"all\": true}");
        HttpResponse<String> neither = post("/api/admin/dead-letters/" + Topics.NOTIFICATION_SERVICE_DLT.name()
                + "/redrive", ADMIN_KEY, "{}");

        // Then the user gets 403s, the wrong topic 404s, and a body selecting nothing 400
        assertThat(List.of(list.statusCode(), redrive.statusCode(), replay.statusCode())).containsOnly(403);
        assertThat(notDeadLetters.statusCode()).as(notDeadLetters.body()).isEqualTo(404);
        assertThat(json.readTree(notDeadLetters.body()).get("detail").asString()).contains("not a dead-letter topic");
        assertThat(redriveNotDeadLetters.statusCode()).isEqualTo(404);
        assertThat(neither.statusCode()).as(neither.body()).isEqualTo(400);
    }

    @Test
    void replayCountsARangeOnADryRunAndReproducesItUnchangedOtherwise() throws Exception {
        // Given five records on the items topic, one with a header
        String prefix = "replay-" + UUID.randomUUID() + "-";
        String topic = Topics.ITEM_PROCESSED.name();
        List<RecordMetadata> written = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            written.add(send(topic, prefix + i, new byte[] {(byte) i}, header("trace-id", "t-" + i)));
        }
        String range = "\"topic\": \"%s\", \"fromOffset\": %d, \"toOffset\": %d"
                .formatted(topic, written.get(1).offset(), written.get(3).offset());

        // When an admin dry-runs the range of records 1..3, asks from a future time, then replays the range
        HttpResponse<String> dryRun = post("/api/admin/replay", ADMIN_KEY, "{" + range + ", \"dryRun\": true}");
        HttpResponse<String> future = post("/api/admin/replay", ADMIN_KEY, "{\"topic\": \"%s\", \"fromTimestamp\": \"%s\", \"dryRun\": true}"
                .formatted(topic, Instant.now().plus(Duration.ofDays(1))));
        HttpResponse<String> replay = post("/api/admin/replay", ADMIN_KEY, "{" + range + ", \"dryRun\": false}");

        // Then the dry run counts 3 and writes nothing, the future selects nothing, and the replay re-produces 3
        assertThat(dryRun.statusCode()).as(dryRun.body()).isEqualTo(200);
        JsonNode counted = json.readTree(dryRun.body());
        assertThat(counted.get("records").asLong()).isEqualTo(3);
        assertThat(counted.get("dryRun").asBoolean()).isTrue();
        assertThat(json.readTree(future.body()).get("records").asLong()).isZero();
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
        assertThat(json.readTree(replay.body()).get("records").asLong()).isEqualTo(3);
        assertThat(json.readTree(replay.body()).get("topic").asString()).isEqualTo(topic);
        List<ConsumerRecord<String, byte[]>> all = kafka.awaitRaw(topic, record -> record.key().startsWith(prefix), 8, WAIT);
        assertThat(all).extracting(ConsumerRecord::key).containsExactly(prefix + 0, prefix + 1, prefix + 2, prefix + 3,
                prefix + 4, prefix + 1, prefix + 2, prefix + 3);
        assertThat(all.get(6).value()).isEqualTo(new byte[] {2});
        assertThat(new String(all.get(6).headers().lastHeader("trace-id").value(), StandardCharsets.UTF_8)).isEqualTo("t-2");
    }

    @Test
    void rerunRefusesAJobThatStoredNoParametersWith409AndTriggersNothing() throws Exception {
        // Given a finished job of the 2024-08-12 chart created by a JobCreated, not by the engine: no pipeline
        // version and no stored parameters, only a source
        String jobId = "rerun-" + UUID.randomUUID();
        Instant now = Instant.now();
        publish(JobStatus.newBuilder().setJobId(jobId).setPipeline("beatport-chart")
                .setSourceRef("beatport/2024/08/12/top100").setState(JobState.COMPLETED).setExpectedCount(1)
                .setSucceededCount(1).setFailedCount(0).setSkippedCount(0).setCreatedAt(now).setFirstSeenAt(now)
                .setLastProgressAt(now).setUpdatedAt(now).setCompletedAt(now).build());
        awaitStatus("/api/jobs/" + jobId, 200);

        // When a user asks for a re-run, and for a re-run of an unknown job
        HttpResponse<String> response = post("/api/jobs/" + jobId + "/rerun", USER_KEY, null);
        HttpResponse<String> unknown = post("/api/jobs/no-such-job/rerun", USER_KEY, null);

        // Then the first is a 409 problem saying why and what to do instead, with nothing guessed from the source
        // and no trigger written; the unknown job is a 404
        assertThat(response.statusCode()).as(response.body()).isEqualTo(409);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(json.readTree(response.body()).get("detail").asString()).contains(jobId)
                .contains("stored no run parameters")
                .contains("POST /api/pipelines/beatport-chart/runs with explicit parameters");
        assertThat(kafka.await(Topics.PIPELINE_TRIGGERS.name(), PipelineTriggered.class,
                record -> record.value().getPipeline().equals("beatport-chart")
                        && !record.value().getTriggeredAt().isBefore(now.truncatedTo(ChronoUnit.MILLIS)), 0,
                Duration.ofSeconds(3))).isEmpty();
        assertThat(unknown.statusCode()).isEqualTo(404);
    }

    private RecordMetadata send(String topic, String key, byte[] value, Header... headers) throws Exception {
        try (KafkaProducer<String, byte[]> raw = kafka.rawProducer()) {
            return raw.send(new ProducerRecord<>(topic, null, key, value, List.of(headers))).get();
        }
    }

    private void publish(JobStatus status) throws Exception {
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(Topics.JOB_STATUS.name(), status.getJobId(), status)).get();
        }
    }

    private static Header header(String name, String value) {
        return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> headerNames(ConsumerRecord<?, ?> record) {
        List<String> names = new ArrayList<>();
        record.headers().forEach(header -> names.add(header.key()));
        return names;
    }

    private void awaitStatus(String path, int status) throws Exception {
        await("status " + status + " from " + path).atMost(WAIT).untilAsserted(() -> {
            HttpResponse<String> response = get(path, USER_KEY);
            assertThat(response.statusCode()).as("status of %s: %s", path, response.body()).isEqualTo(status);
        });
    }

    private HttpResponse<String> get(String path, String apiKey) throws Exception {
        return http.send(HttpRequest.newBuilder(http.uri(path)).GET()
                .header("X-API-Key", apiKey).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String apiKey, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(http.uri(path))
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("X-API-Key", apiKey);
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
