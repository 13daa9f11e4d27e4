package io.tally.jobsapi;

import static io.tally.jobsapi.JobsApiTest.ADMIN_KEY;
import static io.tally.jobsapi.JobsApiTest.USER_KEY;
import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.jwk.source.ImmutableSecret;
import io.tally.common.health.KafkaStreamsHealth;
import io.tally.common.jobs.JobIds;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import io.tally.events.IdempotencyKeyUsed;
import io.tally.events.ItemOutcome;
import io.tally.events.ItemProcessed;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.events.PipelineTriggered;
import io.tally.events.StageState;
import io.tally.events.StageStatus;
import io.tally.jobsapi.view.JobView;
import io.tally.jobsapi.view.ViewNotReadyException;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.RawHttp;
import io.tally.testsupport.ServiceHttp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import javax.crypto.spec.SecretKeySpec;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The jobs API as a whole service on a real KRaft broker (in-JVM) and a real Apicurio registry process. The tests
 * play the tracker by producing {@code JobStatus} records, and read the API's output with read_committed consumers.
 */
@JobsApiTest
// Registered on the class, so the output is captured from before the application starts.
@ExtendWith(OutputCaptureExtension.class)
class JobsApiIntegrationTest {

    private static final byte[] SECRET = "test-secret-test-secret-test-secret-0123".getBytes(StandardCharsets.UTF_8);

    @Autowired
    KafkaStreamsHealth streams;

    @Autowired
    JsonMapper json;

    @Autowired
    Admin admin;

    @Autowired
    JobView view;

    @Autowired
    AvroSerdes serdes;

    @Autowired
    ServiceHttp http;
    @Autowired
    KafkaTestClient kafka;

    @BeforeEach
    void chartPipelineIsPublished() throws Exception {
        // Only a pipeline with a published definition can be run: the runs below use the one production publishes.
        new PipelineFixtures(kafka).publishRepositoryPipeline("beatport-chart");
        awaitStatus("/api/pipelines/beatport-chart", USER_KEY, 200);
    }

    @Test
    void getsAJobWithItsStagesProgressAndPlaylistLink() throws Exception {
        // Given the tracker published a job whose search stage is half done and whose playlist exists
        String jobId = "get-" + UUID.randomUUID();
        Instant now = Instant.now();
        JobStatus status = status(jobId, "beatport-chart", JobState.RUNNING, now, null);
        status.setSucceededCount(4);
        status.setFailedCount(1);
        status.setStages(List.of(
                stage("scrape", StageState.SUCCEEDED, 1, 1L, null, now),
                stage("search", StageState.RUNNING, 5, 10L, null, now),
                stage("playlist", StageState.SUCCEEDED, 1, 1L, "https://www.youtube.com/playlist?list=PL123", now)));
        publish(status);
        // When the job is read
        HttpResponse<String> response = awaitStatus("/api/jobs/" + jobId, USER_KEY, 200);
        // Then it has its counts, progress, stages and links
        JsonNode job = json.readTree(response.body());
        assertThat(job.get("jobId").asString()).isEqualTo(jobId);
        assertThat(job.get("status").asString()).isEqualTo("RUNNING");
        assertThat(job.get("expectedCount").asInt()).isEqualTo(10);
        assertThat(job.get("processedCount").asInt()).isEqualTo(5);
        assertThat(job.get("progressPercent").asDouble()).isEqualTo(50.0);
        assertThat(job.get("createdAt").asString()).isEqualTo(now.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString());
        assertThat(job.get("stages")).hasSize(3);
        assertThat(job.get("stages").get(1).get("name").asString()).isEqualTo("search");
        assertThat(job.get("stages").get(1).get("progressPercent").asDouble()).isEqualTo(50.0);
        assertThat(job.get("links").get("self").asString()).isEqualTo("/api/jobs/" + jobId);
        assertThat(job.get("links").get("playlist").asString()).isEqualTo("https://www.youtube.com/playlist?list=PL123");
    }

    @Test
    void listsJobsNewestFirstWithStatusAndPipelineFiltersAndPaging() throws Exception {
        // Given three jobs of one pipeline, created one minute apart, and one job of another pipeline
        String pipeline = "list-" + UUID.randomUUID();
        Instant base = Instant.now().minusSeconds(600);
        publish(status("old-" + pipeline, pipeline, JobState.RUNNING, base, null));
        publish(status("mid-" + pipeline, pipeline, JobState.COMPLETED, base.plusSeconds(60), base.plusSeconds(90)));
        publish(status("new-" + pipeline, pipeline, JobState.RUNNING, base.plusSeconds(120), null));
        publish(status("other-" + pipeline, "other-" + pipeline, JobState.RUNNING, base.plusSeconds(180), null));
        awaitStatus("/api/jobs/new-" + pipeline, USER_KEY, 200);
        awaitStatus("/api/jobs/other-" + pipeline, USER_KEY, 200);
        // When the list is read with filters and pages
        JsonNode all = json.readTree(get("/api/jobs?pipeline=" + pipeline, USER_KEY).body());
        JsonNode running = json.readTree(get("/api/jobs?pipeline=" + pipeline + "&status=RUNNING", USER_KEY).body());
        JsonNode secondPage = json.readTree(get("/api/jobs?pipeline=" + pipeline + "&size=1&page=1", USER_KEY).body());
        // Then the order is newest first, the filters apply and the page holds the second job
        assertThat(jobIds(all)).containsExactly("new-" + pipeline, "mid-" + pipeline, "old-" + pipeline);
        assertThat(all.get("total").asLong()).isEqualTo(3);
        assertThat(jobIds(running)).containsExactly("new-" + pipeline, "old-" + pipeline);
        assertThat(jobIds(secondPage)).containsExactly("mid-" + pipeline);
        assertThat(secondPage.get("total").asLong()).isEqualTo(3);
        assertThat(secondPage.get("size").asInt()).isEqualTo(1);
    }

    @Test
    void listsAJobsItemsWithTheirLatestAttemptFilteredByOutcomeAndTextAndPaged() throws Exception {
        // Given a job with three items: one that failed then succeeded on retry (the retry's record redelivered and
        // an older attempt arriving late), one failed, one skipped; and a poison record among them
        String jobId = "items-" + UUID.randomUUID();
        Instant now = Instant.now();
        publish(status(jobId, "beatport-chart", JobState.RUNNING, now, null));
        publishItem(item(jobId, "track-a", ItemOutcome.FAILED, 1, "YouTube quota exceeded", now));
        publishItem(item(jobId, "track-a", ItemOutcome.SUCCEEDED, 2, null, now.plusSeconds(1)));
        publishItem(item(jobId, "track-a", ItemOutcome.SUCCEEDED, 2, null, now.plusSeconds(1)));
        publishItem(item(jobId, "track-a", ItemOutcome.FAILED, 1, "YouTube quota exceeded", now));
        try (KafkaProducer<String, byte[]> raw = kafka.rawProducer()) {
            raw.send(new ProducerRecord<>(Topics.ITEM_PROCESSED.name(), jobId,
                    "not avro".getBytes(StandardCharsets.UTF_8))).get();
        }
        publishItem(item(jobId, "track-b", ItemOutcome.FAILED, 1, "No video found for 'Artist - Title'", now));
        publishItem(item(jobId, "track-c", ItemOutcome.SKIPPED, 1, "duplicate of an earlier chart", now));
        JsonNode all = awaitItems("/api/jobs/" + jobId + "/items", 3);

        // When the items are read with filters and pages
        JsonNode failed = json.readTree(get("/api/jobs/" + jobId + "/items?outcome=FAILED", USER_KEY).body());
        JsonNode searched = json.readTree(get("/api/jobs/" + jobId + "/items?q=NO+VIDEO", USER_KEY).body());
        JsonNode byId = json.readTree(get("/api/jobs/" + jobId + "/items?q=track-c&outcome=SKIPPED", USER_KEY).body());
        JsonNode none = json.readTree(get("/api/jobs/" + jobId + "/items?q=track-c&outcome=FAILED", USER_KEY).body());
        JsonNode secondPage = json.readTree(get("/api/jobs/" + jobId + "/items?size=1&page=1", USER_KEY).body());

        // Then every item shows its latest attempt, in item id order, and the filters and pages apply
        assertThat(itemIds(all)).containsExactly("track-a", "track-b", "track-c");
        JsonNode a = all.get("items").get(0);
        assertThat(a.get("outcome").asString()).isEqualTo("SUCCEEDED");
        assertThat(a.get("attempt").asInt()).isEqualTo(2);
        assertThat(a.get("error").isNull()).isTrue();
        assertThat(itemIds(failed)).containsExactly("track-b");
        assertThat(failed.get("items").get(0).get("error").asString()).isEqualTo("No video found for 'Artist - Title'");
        assertThat(failed.get("total").asLong()).isEqualTo(1);
        assertThat(itemIds(searched)).containsExactly("track-b");
        assertThat(itemIds(byId)).containsExactly("track-c");
        assertThat(itemIds(none)).isEmpty();
        assertThat(itemIds(secondPage)).containsExactly("track-b");
        assertThat(secondPage.get("total").asLong()).isEqualTo(3);
        assertThat(secondPage.get("size").asInt()).isEqualTo(1);
    }

    @Test
    void refusesItemReadsOfUnknownJobsOversizedPagesBadOutcomesAndAnonymousCallers() throws Exception {
        // Given a known job
        String jobId = "items-refused-" + UUID.randomUUID();
        publish(status(jobId, "beatport-chart", JobState.RUNNING, Instant.now(), null));
        awaitStatus("/api/jobs/" + jobId, USER_KEY, 200);
        // When items are read for an unknown job, with a page larger than the limit, an unknown outcome, or no key
        HttpResponse<String> unknown = get("/api/jobs/no-such-job-" + UUID.randomUUID() + "/items", USER_KEY);
        HttpResponse<String> tooLarge = get("/api/jobs/" + jobId + "/items?size=201", USER_KEY);
        HttpResponse<String> badOutcome = get("/api/jobs/" + jobId + "/items?outcome=EXPLODED", USER_KEY);
        HttpResponse<String> anonymous = get("/api/jobs/" + jobId + "/items", null);
        HttpResponse<String> empty = get("/api/jobs/" + jobId + "/items", USER_KEY);
        // Then each is refused with a problem, and the known job without items answers an empty page
        assertProblem(unknown, 404);
        assertThat(json.readTree(unknown.body()).get("detail").asString()).contains("no-such-job");
        assertProblem(tooLarge, 400);
        assertProblem(badOutcome, 400);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(empty.statusCode()).isEqualTo(200);
        assertThat(json.readTree(empty.body()).get("total").asLong()).isZero();
    }

    @Test
    void answersProblem404ForAnUnknownJob() throws Exception {
        // When an unknown job is read
        HttpResponse<String> response = get("/api/jobs/no-such-job-" + UUID.randomUUID(), USER_KEY);
        // Then the answer is a problem with status 404
        assertThat(response.statusCode()).isEqualTo(404);
        assertProblem(response, 404);
        assertThat(json.readTree(response.body()).get("detail").asString()).contains("no-such-job");
    }

    @Test
    void triggersARunWith202AndEmitsOnePipelineTriggered() throws Exception {
        // When a user triggers a run with parameters
        HttpResponse<String> response = post("/api/pipelines/beatport-chart/runs", USER_KEY, null,
                "{\"parameters\": {\"date\": \"2024-08-12\", \"chart\": \"top-100\"}}");
        // Then the answer is 202 with the job link, and the trigger is on the topic with the caller and parameters
        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode body = json.readTree(response.body());
        String jobId = body.get("jobId").asString();
        String triggerId = body.get("triggerId").asString();
        assertThat(jobId).startsWith("beatport-chart-");
        assertThat(triggerId).startsWith("api:");
        assertThat(body.get("links").get("self").asString()).isEqualTo("/api/jobs/" + jobId);
        assertThat(response.headers().firstValue("Location")).hasValue("/api/jobs/" + jobId);
        List<ConsumerRecord<String, PipelineTriggered>> triggers = triggers(KafkaTestClient.withKey(triggerId), 1);
        assertThat(triggers).singleElement().satisfies(record -> {
            assertThat(record.value().getJobId()).isEqualTo(jobId);
            assertThat(record.value().getPipeline()).isEqualTo("beatport-chart");
            assertThat(record.value().getRequestedBy()).isEqualTo("alice");
            assertThat(record.value().getParameters()).containsEntry("date", "2024-08-12").containsEntry("chart", "top-100");
        });
    }

    @Test
    void answersTheSameJobAndEmitsOneTriggerWhenTheIdempotencyKeyIsRepeated() throws Exception {
        // Given a run requested with an Idempotency-Key
        String key = "retry-" + UUID.randomUUID();
        String body = "{\"parameters\": {\"date\": \"2024-08-12\"}}";
        HttpResponse<String> first = post("/api/pipelines/beatport-chart/runs", USER_KEY, key, body);
        // When the same request is retried at once, and again after the view has the key (parameters reordered)
        HttpResponse<String> second = post("/api/pipelines/beatport-chart/runs", USER_KEY, key, body);
        awaitIdempotencyKeyRecord(key);
        awaitKeyInTheView(key);
        HttpResponse<String> third = post("/api/pipelines/beatport-chart/runs", USER_KEY, key, body);
        // Then all answers are the same 202 and exactly one trigger was emitted
        assertThat(List.of(first.statusCode(), second.statusCode(), third.statusCode())).containsOnly(202);
        String jobId = json.readTree(first.body()).get("jobId").asString();
        assertThat(json.readTree(second.body()).get("jobId").asString()).isEqualTo(jobId);
        assertThat(json.readTree(third.body()).get("jobId").asString()).isEqualTo(jobId);
        // Counted by trigger id, which every emission for this key carries (a repeat in a later minute would have
        // another jobId and slip past a count by jobId)
        assertThat(triggers(KafkaTestClient.withKey("api:" + key), 1)).singleElement()
                .satisfies(record -> assertThat(record.value().getJobId()).isEqualTo(jobId));
    }

    @Test
    void answersTheFirstRunOfAKeyUsedThroughAnotherInstance() throws Exception {
        // Given another API instance ran a key yesterday: its trigger and its IdempotencyKeyUsed committed in one
        // transaction, as RunTrigger writes them (a jobId from yesterday cannot equal one this instance would make)
        String key = "other-instance-" + UUID.randomUUID();
        String triggerId = "api:" + key;
        Instant usedAt = Instant.now().minus(Duration.ofDays(1));
        String firstJobId = JobIds.forTrigger("beatport-chart", usedAt, triggerId);
        IdempotencyKeyUsed used = IdempotencyKeyUsed.newBuilder().setIdempotencyKey(key)
                .setRequestHash(io.tally.jobsapi.runs.RunTriggerAccess.requestHash("beatport-chart", Map.of()))
                .setPipeline("beatport-chart").setTriggerId(triggerId).setJobId(firstJobId)
                .setRequestedBy("bob").setUsedAt(usedAt).build();
        PipelineTriggered firstTrigger = PipelineTriggered.newBuilder().setTriggerId(triggerId).setJobId(firstJobId)
                .setPipeline("beatport-chart").setTriggeredAt(usedAt).setParameters(Map.of()).setRequestedBy("bob").build();
        try (KafkaProducer<String, SpecificRecord> otherInstance = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "other-api-instance-" + key),
                new StringSerializer(), serdes.serializer())) {
            otherInstance.initTransactions();
            otherInstance.beginTransaction();
            otherInstance.send(new ProducerRecord<>(Topics.PIPELINE_TRIGGERS.name(), triggerId, firstTrigger));
            otherInstance.send(new ProducerRecord<>(Topics.API_IDEMPOTENCY.name(), key, used));
            otherInstance.commitTransaction();
        }
        awaitKeyInTheView(key);
        // When this instance gets the same request
        HttpResponse<String> response = post("/api/pipelines/beatport-chart/runs", USER_KEY, key, null);
        // Then it answers the first run (same jobId and triggerId) and emits nothing: the trigger topic still holds
        // only the other instance's record for this key
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode answer = json.readTree(response.body());
        assertThat(answer.get("jobId").asString()).isEqualTo(firstJobId);
        assertThat(answer.get("triggerId").asString()).isEqualTo(triggerId);
        assertThat(response.headers().firstValue("Location")).hasValue("/api/jobs/" + firstJobId);
        assertThat(triggers(KafkaTestClient.withKey(triggerId), 1)).singleElement()
                .satisfies(record -> assertThat(record.value().getJobId()).isEqualTo(firstJobId));
    }

    @Test
    void answers409WhenAnIdempotencyKeyIsReusedForAnotherRequest() throws Exception {
        // Given a key used for one date
        String key = "conflict-" + UUID.randomUUID();
        HttpResponse<String> first = post("/api/pipelines/beatport-chart/runs", USER_KEY, key,
                "{\"parameters\": {\"date\": \"2024-08-12\"}}");
        // When it is sent again with another date
        HttpResponse<String> second = post("/api/pipelines/beatport-chart/runs", USER_KEY, key,
                "{\"parameters\": {\"date\": \"2024-08-19\"}}");
        // Then the second is refused with a problem and only the first run exists
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(second.statusCode()).isEqualTo(409);
        assertProblem(second, 409);
        assertThat(triggers(KafkaTestClient.withKey("api:" + key), 1)).hasSize(1);
    }

    @Test
    void answers404NamingAPipelineWithoutAPublishedDefinitionAndEmitsNothing() throws Exception {
        // Given a pipeline the view knows from a job but that has no published definition
        String pipeline = PipelineFixtures.uniqueName("unpublished");
        String jobId = "unpublished-" + UUID.randomUUID();
        publish(status(jobId, pipeline, JobState.COMPLETED, Instant.now(), Instant.now()));
        awaitStatus("/api/jobs/" + jobId, USER_KEY, 200);
        // When a run of it is requested
        String key = "unknown-" + UUID.randomUUID();
        HttpResponse<String> response = post("/api/pipelines/" + pipeline + "/runs", USER_KEY, key, null);
        // Then the answer is a 404 problem naming it and where to find the pipelines that can run, and no trigger
        // is emitted
        assertProblem(response, 404);
        assertThat(json.readTree(response.body()).get("detail").asString()).contains("'" + pipeline + "'")
                .contains("no published definition").contains("GET /api/pipelines");
        assertThat(triggers(KafkaTestClient.withKey("api:" + key), 0)).isEmpty();
    }

    @Test
    void answers400NamingTheFieldForBadInput() throws Exception {
        // When a page size, a status and an Idempotency-Key are out of range
        HttpResponse<String> size = get("/api/jobs?size=500", USER_KEY);
        HttpResponse<String> status = get("/api/jobs?status=SLEEPING", USER_KEY);
        HttpResponse<String> key = post("/api/pipelines/beatport-chart/runs", USER_KEY, "x".repeat(300), null);
        HttpResponse<String> body = post("/api/pipelines/beatport-chart/runs", USER_KEY, null, "{\"parameters\": [1]}");
        // Then each is a 400 problem that names what was wrong
        assertProblem(size, 400);
        assertThat(json.readTree(size.body()).get("detail").asString()).contains("size");
        assertProblem(status, 400);
        assertThat(json.readTree(status.body()).get("detail").asString()).contains("status");
        assertProblem(key, 400);
        assertThat(json.readTree(key.body()).get("detail").asString()).contains("Idempotency-Key");
        assertProblem(body, 400);
    }

    @Test
    void answers4xxAndNever5xxToMalformedOrOversizedBodies() throws Exception {
        String runs = "/api/pipelines/beatport-chart/runs";
        // When bodies are cut off, too deeply nested, too large, or not JSON at all
        HttpResponse<String> truncated = post(runs, USER_KEY, null, "{\"parameters\": {\"date\": ");
        HttpResponse<String> deep = post(runs, USER_KEY, null, "[".repeat(5_000) + "]".repeat(5_000));
        HttpResponse<String> oversized = post(runs, USER_KEY, null,
                "{\"parameters\": {\"date\": \"" + "9".repeat(200_000) + "\"}}");
        HttpResponse<String> plainText = http.send(HttpRequest.newBuilder(http.uri(runs))
                .header("X-API-Key", USER_KEY).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("run it")).build(), HttpResponse.BodyHandlers.ofString());
        // Then each is a client error with a problem body, and none reached Kafka
        assertProblem(truncated, 400);
        assertProblem(deep, 400);
        assertProblem(oversized, 413);
        assertThat(json.readTree(oversized.body()).get("detail").asString()).contains("at most");
        assertThat(plainText.statusCode()).isEqualTo(415);
    }

    @Test
    void neverShowsSecretsInTheEnvironmentEndpointOrTheLogs(CapturedOutput output) throws Exception {
        // When an admin asks for the environment and the bound configuration, and callers use good and wrong keys
        HttpResponse<String> env = get("/actuator/env", ADMIN_KEY);
        HttpResponse<String> configProps = get("/actuator/configprops", ADMIN_KEY);
        HttpResponse<String> wrong = get("/api/jobs", "wrong-key-but-a-secret-0123");
        get("/api/jobs", USER_KEY);
        get("/api/admin/stats", ADMIN_KEY);
        // Then neither endpoint is exposed, and no key, right or wrong, was ever written to the output
        assertThat(env.statusCode()).isEqualTo(404);
        assertThat(configProps.statusCode()).isEqualTo(404);
        assertProblem(wrong, 401);
        assertThat(output.getAll()).doesNotContain(ADMIN_KEY, USER_KEY, "wrong-key-but-a-secret-0123");
    }

    @Test
    void answers401ProblemWithoutOrWithAWrongApiKey() throws Exception {
        // When the API is called without a key and with a wrong one
        HttpResponse<String> none = get("/api/jobs", null);
        HttpResponse<String> wrong = post("/api/pipelines/beatport-chart/runs", "wrong-key-0123456789", null, null);
        // Then both are 401 problems
        assertProblem(none, 401);
        assertProblem(wrong, 401);
    }

    @Test
    void answersAMalformedRawUrlWith400ProblemJsonBeforeAnyController() throws Exception {
        // When a raw request (no client normalisation) aims an encoded traversal at the dead-letter admin endpoint
        RawHttp.Response response = RawHttp.exchange(http.port(), "GET /api/admin/dead-letters/..%2F..%2Fetc HTTP/1.1");
        // Then Tomcat's rejection is a 400 problem+json, not its HTML error page
        assertThat(response.status()).as(response.text()).isEqualTo(400);
        assertThat(response.header("Content-Type")).as(response.text()).startsWith("application/problem+json");
        JsonNode problem = json.readTree(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(400);
        assertThat(problem.get("title").asString()).isEqualTo("Bad Request");
    }

    @Test
    void answersUnknownPathsAndWrongMethodsWithProblems() throws Exception {
        // When an authenticated caller asks for a path nothing serves, and uses GET on a POST-only endpoint
        HttpResponse<String> unknown = get("/api/no-such-thing", USER_KEY);
        HttpResponse<String> wrongMethod = get("/api/admin/cleanup", ADMIN_KEY);
        // Then 404 and 405, both problem+json
        assertProblem(unknown, 404);
        assertProblem(wrongMethod, 405);
    }

    @Test
    void answers403ProblemToAUserOnAdminEndpoints() throws Exception {
        // When a USER key calls the admin endpoints
        HttpResponse<String> stats = get("/api/admin/stats", USER_KEY);
        HttpResponse<String> cleanup = post("/api/admin/cleanup?olderThan=P1D", USER_KEY, null, null);
        // Then both are refused with 403 problems
        assertProblem(stats, 403);
        assertProblem(cleanup, 403);
    }

    @Test
    void reportsDeadLetterDepthConsumerLagAndJobsByStatusToAnAdmin() throws Exception {
        // Given two dead letters on a task type's dead-letter topic (a worker creates it with its pipeline's task type),
        // and a Tally group that committed before them
        String topic = TaskHeaders.deadLetterTopic("stats-" + UUID.randomUUID().toString().substring(0, 8));
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        try (KafkaProducer<String, byte[]> raw = kafka.rawProducer()) {
            raw.send(new ProducerRecord<>(topic, "a", "bad".getBytes(StandardCharsets.UTF_8))).get();
            raw.send(new ProducerRecord<>(topic, "b", "bad".getBytes(StandardCharsets.UTF_8))).get();
        }
        admin.alterConsumerGroupOffsets("tally-lag-probe",
                Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(0))).all().get();
        publish(status("stats-" + UUID.randomUUID(), "beatport-chart", JobState.STALLED, Instant.now(), null));
        // When an admin reads the stats (once the stalled job is in the view)
        JsonNode stats = await().atMost(WAIT).until(() -> {
            HttpResponse<String> response = get("/api/admin/stats", ADMIN_KEY);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return json.readTree(response.body());
        }, current -> current.get("jobsByStatus").get("STALLED").asLong() >= 1);
        // Then the depth and the lag are the two records, and the stalled job is counted
        assertThat(stats.get("deadLetters").get(topic).asLong()).isEqualTo(2);
        assertThat(stats.get("deadLetters").get(Topics.JOB_TRACKER_DLT.name()).asLong()).isZero();
        assertThat(stats.get("consumerLag").get("tally-lag-probe").asLong()).isEqualTo(2);
        assertThat(stats.get("jobsByStatus").get("STALLED").asLong()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void cleanupRemovesOldEndedJobsAndKeepsRunningOnes() throws Exception {
        // Given an ended job that completed 30 days ago and a running job created 30 days ago
        Instant old = Instant.now().minus(Duration.ofDays(30));
        String ended = "ended-" + UUID.randomUUID();
        String running = "running-" + UUID.randomUUID();
        publish(status(ended, "beatport-chart", JobState.COMPLETED, old, old.plusSeconds(60)));
        publish(status(running, "beatport-chart", JobState.RUNNING, old, null));
        awaitStatus("/api/jobs/" + ended, USER_KEY, 200);
        awaitStatus("/api/jobs/" + running, USER_KEY, 200);
        // When an admin cleans up jobs older than 7 days, and sends bad durations
        HttpResponse<String> cleanup = post("/api/admin/cleanup?olderThan=P7D", ADMIN_KEY, null, null);
        HttpResponse<String> negative = post("/api/admin/cleanup?olderThan=-P1D", ADMIN_KEY, null, null);
        HttpResponse<String> garbage = post("/api/admin/cleanup?olderThan=soon", ADMIN_KEY, null, null);
        // Then the ended job is removed (tombstone, then 404) and the running one stays; bad durations are 400
        assertThat(cleanup.statusCode()).isEqualTo(200);
        assertThat(json.readTree(cleanup.body()).get("removed").asInt()).isEqualTo(1);
        awaitStatus("/api/jobs/" + ended, USER_KEY, 404);
        assertThat(get("/api/jobs/" + running, USER_KEY).statusCode()).isEqualTo(200);
        assertProblem(negative, 400);
        assertThat(json.readTree(negative.body()).get("detail").asString()).contains("olderThan");
        assertProblem(garbage, 400);
    }

    @Test
    void publishesAnOpenApiDocumentListingTheEndpoints() throws Exception {
        // When the OpenAPI document is read without credentials
        HttpResponse<String> response = get("/v3/api-docs", null);
        // Then it lists every endpoint
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode paths = json.readTree(response.body()).get("paths");
        assertThat(paths.has("/api/pipelines/{pipeline}/runs")).isTrue();
        assertThat(paths.has("/api/jobs/{jobId}")).isTrue();
        assertThat(paths.has("/api/jobs")).isTrue();
        assertThat(paths.has("/api/jobs/{jobId}/items")).isTrue();
        assertThat(paths.has("/api/admin/stats")).isTrue();
        assertThat(paths.has("/api/admin/cleanup")).isTrue();
    }

    @Test
    void exposesProbesWithoutCredentialsWithKafkaStreamsInReadiness() throws Exception {
        // When the probes and health are read without credentials
        HttpResponse<String> readiness = get("/actuator/health/readiness", null);
        HttpResponse<String> liveness = get("/actuator/health/liveness", null);
        HttpResponse<String> health = get("/actuator/health", null);
        HttpResponse<String> prometheus = get("/actuator/prometheus", null);
        // Then readiness follows the streams state, and health has the broker and registry checks
        assertThat(readiness.statusCode()).isEqualTo(200);
        JsonNode readinessComponents = json.readTree(readiness.body()).get("components");
        assertThat(readinessComponents.get("kafkaStreams").get("status").asString()).isEqualTo("UP");
        assertThat(readinessComponents.has("readinessState")).isTrue();
        assertThat(liveness.statusCode()).isEqualTo(200);
        JsonNode components = json.readTree(health.body()).get("components");
        assertThat(components.get("kafkaBroker").get("status").asString()).isEqualTo("UP");
        assertThat(components.get("schemaRegistry").get("status").asString()).isEqualTo("UP");
        assertThat(prometheus.statusCode()).isEqualTo(200);
    }

    @Test
    void acceptsBearerJwtsWithRolesFromTheRolesClaim() throws Exception {
        // Given tokens of an admin, of a user, and one signed with another secret
        String adminToken = token("carol", List.of("ADMIN"), SECRET);
        String userToken = token("dave", List.of("USER"), SECRET);
        String forged = token("mallory", List.of("ADMIN"), "another-secret-another-secret-another-secret!".getBytes(StandardCharsets.UTF_8));
        // When each calls the admin stats
        HttpResponse<String> admin = bearer("/api/admin/stats", adminToken);
        HttpResponse<String> user = bearer("/api/admin/stats", userToken);
        HttpResponse<String> bad = bearer("/api/admin/stats", forged);
        // Then only the admin token passes; the others get 403 and 401 problems
        assertThat(admin.statusCode()).as(admin.body()).isEqualTo(200);
        assertProblem(user, 403);
        assertProblem(bad, 401);
    }

    private HttpResponse<String> bearer(String path, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(http.uri(path))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String token(String subject, List<String> roles, byte[] secret) {
        NimbusJwtEncoder encoder = new NimbusJwtEncoder(new ImmutableSecret<>(new SecretKeySpec(secret, "HmacSHA256")));
        JwtClaimsSet claims = JwtClaimsSet.builder().subject(subject).claim("roles", roles)
                .issuedAt(Instant.now()).expiresAt(Instant.now().plusSeconds(300)).build();
        return encoder.encode(JwtEncoderParameters.from(JwsHeader.with(MacAlgorithm.HS256).build(), claims)).getTokenValue();
    }

    /** Turns on bearer JWTs the way an issuer-uri would, with a shared HMAC secret instead of an issuer. */
    @TestConfiguration(proxyBeanMethods = false)
    static class JwtConfiguration {

        @Bean
        JwtDecoder jwtDecoder() {
            return NimbusJwtDecoder.withSecretKey(new SecretKeySpec(SECRET, "HmacSHA256")).build();
        }
    }

    private void publishItem(ItemProcessed item) throws Exception {
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(Topics.ITEM_PROCESSED.name(), item.getJobId(), item)).get();
        }
    }

    private static ItemProcessed item(String jobId, String itemId, ItemOutcome outcome, int attempt, String error,
            Instant at) {
        return ItemProcessed.newBuilder().setJobId(jobId).setItemId(itemId).setOutcome(outcome).setAttempt(attempt)
                .setError(error).setProcessedAt(at).build();
    }

    /** Reads {@code path} until the job is known and {@code expected} items are listed (the view is eventually consistent). */
    private JsonNode awaitItems(String path, long expected) {
        JsonNode page = await().atMost(WAIT).until(() -> get(path, USER_KEY),
                response -> response.statusCode() == 200 && json.readTree(response.body()).get("total").asLong() >= expected)
                .body().transform(json::readTree);
        assertThat(page.get("total").asLong()).as("items of %s: %s", path, page).isEqualTo(expected);
        return page;
    }

    private static List<String> itemIds(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("items").forEach(item -> ids.add(item.get("itemId").asString()));
        return ids;
    }

    private void publish(JobStatus status) throws Exception {
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(Topics.JOB_STATUS.name(), status.getJobId(), status)).get();
        }
    }

    private List<ConsumerRecord<String, PipelineTriggered>> triggers(
            Predicate<ConsumerRecord<String, PipelineTriggered>> match, int expected) {
        return kafka.await(Topics.PIPELINE_TRIGGERS.name(), PipelineTriggered.class, match, expected,
                expected == 0 ? Duration.ofSeconds(3) : WAIT);
    }

    private void awaitIdempotencyKeyRecord(String key) {
        assertThat(kafka.await(Topics.API_IDEMPOTENCY.name(), IdempotencyKeyUsed.class, KafkaTestClient.withKey(key), 1,
                WAIT)).hasSize(1);
    }

    private HttpResponse<String> awaitStatus(String path, String apiKey, int status) {
        return await().atMost(WAIT).alias("status " + status + " of " + path)
                .until(() -> get(path, apiKey), response -> response.statusCode() == status);
    }

    /** Waits until this instance's idempotency view shows {@code key}, the state in which it must replay the key. */
    private void awaitKeyInTheView(String key) {
        await().atMost(WAIT).ignoreException(ViewNotReadyException.class)
                .until(() -> view.idempotencyKey(key).isPresent());
    }

    private void assertProblem(HttpResponse<String> response, int status) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(json.readTree(response.body()).get("status").asInt()).isEqualTo(status);
    }

    private static List<String> jobIds(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("items").forEach(item -> ids.add(item.get("jobId").asString()));
        return ids;
    }

    private HttpResponse<String> get(String path, String apiKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(http.uri(path)).GET();
        if (apiKey != null) {
            request.header("X-API-Key", apiKey);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String apiKey, String idempotencyKey, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(http.uri(path))
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (apiKey != null) {
            request.header("X-API-Key", apiKey);
        }
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JobStatus status(String jobId, String pipeline, JobState state, Instant createdAt, Instant completedAt) {
        return JobStatus.newBuilder().setJobId(jobId).setPipeline(pipeline).setSourceRef("chart/" + jobId)
                .setState(state).setExpectedCount(10).setSucceededCount(state == JobState.COMPLETED ? 10 : 0)
                .setFailedCount(0).setSkippedCount(0).setCreatedAt(createdAt).setFirstSeenAt(createdAt)
                .setLastProgressAt(createdAt).setUpdatedAt(completedAt != null ? completedAt : createdAt)
                .setCompletedAt(completedAt).build();
    }

    private static StageStatus stage(String name, StageState state, long done, Long total, String detail, Instant at) {
        return StageStatus.newBuilder().setName(name).setState(state).setDone(done).setTotal(total).setStartedAt(at)
                .setUpdatedAt(at).setEndedAt(state == StageState.SUCCEEDED ? at : null).setDetail(detail).build();
    }
}
