package io.tally.jobsapi;

import static io.tally.jobsapi.JobsApiTest.ADMIN_KEY;
import static io.tally.jobsapi.JobsApiTest.USER_KEY;
import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tally.common.artifacts.ArtifactStore;
import io.tally.common.topics.Topics;
import io.tally.events.AdminActionAudited;
import io.tally.events.ItemOutcome;
import io.tally.events.ItemProcessed;
import io.tally.events.JobPurgeRequested;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.jobsapi.view.JobView;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.ServiceHttp;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Seed 003's admin set on the test broker: stats with version, uptime and settings; deep cleanup that also purges
 * items, results, artifacts and (by a purge request the tracker acts on) engine state, audited; and a factory reset
 * that takes a fresh single-use confirmation token, is ADMIN only and is audited.
 */
@JobsApiTest
class AdminSetIntegrationTest {

    @Autowired
    JsonMapper json;

    @Autowired
    ServiceHttp http;

    @Autowired
    KafkaTestClient kafka;

    @Autowired
    ArtifactStore artifacts;

    @Autowired
    JobView view;

    PipelineFixtures fixtures;

    @BeforeEach
    void fixtures() {
        fixtures = new PipelineFixtures(kafka);
    }

    @Test
    void statsNameTheVersionUptimeAndSettingsForAnAdminOnly() {
        // When an admin and a user ask for the stats
        HttpResponse<String> admin = http.get("/api/admin/stats", "X-API-Key", ADMIN_KEY);
        HttpResponse<String> user = http.get("/api/admin/stats", "X-API-Key", USER_KEY);

        // Then the admin gets the service's version, start and uptime, and the API's settings
        assertThat(admin.statusCode()).as(admin.body()).isEqualTo(200);
        JsonNode stats = json.readTree(admin.body());
        assertThat(stats.get("service").get("name").asString()).isEqualTo("jobs-api");
        assertThat(stats.get("service").get("version").asString()).isNotBlank().isNotEqualTo("unknown");
        assertThat(Duration.parse(stats.get("service").get("uptime").asString())).isPositive();
        assertThat(stats.get("settings").get("tally.api.max-page-size").asInt()).isEqualTo(200);
        assertThat(stats.get("settings").get("tally.artifacts.dir").asString()).contains("tally-jobs-api-test-artifacts");
        assertThat(stats.get("jobsByStatus").has("QUEUED")).isTrue();
        // And the user a 403 problem
        assertThat(user.statusCode()).isEqualTo(403);
    }

    @Test
    void deepCleanupPurgesItemsResultsArtifactsAndEngineStateOfOldEndedJobsAndIsAudited() throws Exception {
        // Given an ended job of two days ago with items, a result by reference and a file in its own folder
        String old = "deep-old-" + UUID.randomUUID();
        URI file = artifacts.put("transcribe/" + old + "/transcript.srt", "1\n00:00 hello".getBytes(StandardCharsets.UTF_8));
        URI result = artifacts.put("results/" + old + ".json", ("{\"file\": \"" + file + "\"}").getBytes(StandardCharsets.UTF_8));
        JobStatus oldJob = endedAgo(old, Duration.ofDays(2));
        oldJob.setResult("{\"file\": \"" + file + "\"}");
        fixtures.publish(oldJob);
        publishItem(old, "a");
        // And a job that ended a minute ago, which must stay
        String recent = "deep-recent-" + UUID.randomUUID();
        fixtures.publish(endedAgo(recent, Duration.ofMinutes(1)));
        await().atMost(WAIT).until(() -> view.job(recent).isPresent() && view.items(old, null, null, 0, 10).total() == 1);

        // When a user and then an admin ask for a deep cleanup of jobs older than an hour
        HttpResponse<String> refused = http.post("/api/admin/cleanup?olderThan=PT1H&deep=true", "", "X-API-Key", USER_KEY);
        HttpResponse<String> done = http.post("/api/admin/cleanup?olderThan=PT1H&deep=true", "", "X-API-Key", ADMIN_KEY);

        // Then the user is refused and the admin's cleanup is deep
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
        JsonNode answer = json.readTree(done.body());
        assertThat(answer.get("deep").asBoolean()).isTrue();
        assertThat(answer.get("removed").asInt()).isPositive();
        assertThat(answer.get("artifactsDeleted").asInt()).isGreaterThanOrEqualTo(2);
        // And the old job, its items, its result and its folder are gone, while the recent job stays
        await().atMost(WAIT).until(() -> view.job(old).isEmpty());
        await().atMost(WAIT).until(() -> view.items(old, null, null, 0, 10).total() == 0);
        assertThatThrownBy(() -> artifacts.read(result)).isInstanceOf(ArtifactStore.NoSuchArtifactException.class);
        assertThatThrownBy(() -> artifacts.read(file)).isInstanceOf(ArtifactStore.NoSuchArtifactException.class);
        assertThat(view.job(recent)).isPresent();
        // And the tracker is asked to purge the job's engine state, naming the caller, and the action is audited
        assertThat(kafka.await(Topics.JOB_PURGE_REQUESTS.name(), JobPurgeRequested.class,
                KafkaTestClient.withKey(old), 1, WAIT)).singleElement()
                .satisfies(record -> assertThat(record.value().getRequestedBy()).isEqualTo("ops"));
        assertThat(kafka.await(Topics.ADMIN_AUDIT.name(), AdminActionAudited.class,
                record -> record.value().getAction().equals("cleanup-deep") && record.value().getCaller().equals("ops"),
                1, WAIT)).isNotEmpty();
    }

    @Test
    void factoryResetTakesAFreshSingleUseTokenFromTheSameAdminAndIsAudited() throws Exception {
        // Given an ended job and a stored artifact
        String jobId = "reset-" + UUID.randomUUID();
        fixtures.publish(endedAgo(jobId, Duration.ofMinutes(5)));
        URI file = artifacts.put("transcribe/" + jobId + "/audio.wav", new byte[] {1, 2, 3});
        await().atMost(WAIT).until(() -> view.job(jobId).isPresent());

        // When a user asks, Then it is a 403
        assertThat(reset(USER_KEY, null).statusCode()).isEqualTo(403);
        // When the admin asks without a token, Then it is a 409 problem with a token and how to use it, and nothing goes
        HttpResponse<String> first = reset(ADMIN_KEY, null);
        assertProblem(first, 409);
        String token = json.readTree(first.body()).get("confirmationToken").asString();
        assertThat(json.readTree(first.body()).get("detail").asString()).contains("confirm=" + token);
        assertThat(view.job(jobId)).isPresent();
        // When the admin sends a wrong token, Then it is a 400 problem, and that used up nothing
        assertProblem(reset(ADMIN_KEY, "not-the-token"), 400);
        // When the admin confirms with the token
        HttpResponse<String> confirmed = reset(ADMIN_KEY, token);
        // Then every ended job and artifact is removed
        assertThat(confirmed.statusCode()).as(confirmed.body()).isEqualTo(200);
        assertThat(json.readTree(confirmed.body()).get("removed").asInt()).isPositive();
        await().atMost(WAIT).until(() -> view.job(jobId).isEmpty());
        assertThatThrownBy(() -> artifacts.read(file)).isInstanceOf(ArtifactStore.NoSuchArtifactException.class);
        // And the same token does not work twice
        assertProblem(reset(ADMIN_KEY, token), 400);
        // And the reset is audited with the caller
        assertThat(kafka.await(Topics.ADMIN_AUDIT.name(), AdminActionAudited.class,
                record -> record.value().getAction().equals("factory-reset") && record.value().getCaller().equals("ops"),
                1, WAIT)).isNotEmpty();
    }

    private HttpResponse<String> reset(String key, String token) {
        return http.post("/api/admin/factory-reset" + (token == null ? "" : "?confirm=" + token), "", "X-API-Key", key);
    }

    private static JobStatus endedAgo(String jobId, Duration ago) {
        JobStatus job = PipelineFixtures.engineJob(jobId, "transcribe", 1, JobState.COMPLETED);
        Instant at = Instant.now().minus(ago);
        job.setCreatedAt(at.minusSeconds(60));
        job.setCompletedAt(at);
        return job;
    }

    private void publishItem(String jobId, String itemId) throws Exception {
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(Topics.ITEM_PROCESSED.name(), jobId, ItemProcessed.newBuilder()
                    .setJobId(jobId).setItemId(itemId).setOutcome(ItemOutcome.SUCCEEDED).setAttempt(1)
                    .setProcessedAt(Instant.now()).build())).get();
        }
    }

    private void assertProblem(HttpResponse<String> response, int status) {
        Problems.assertProblem(json, response, status);
    }
}
