package io.tally.jobsapi;

import static io.tally.jobsapi.JobsApiTest.USER_KEY;
import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tally.common.artifacts.ArtifactStore;
import io.tally.common.topics.Topics;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.events.PipelineTriggered;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.ServiceHttp;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What seed 003 asks of a job on the API: an accepted run is visible as QUEUED before any engine reads it (no engine
 * runs in these tests), a job's result is returned inline or read from the artifact store, artifact references become
 * {@code /api/artifacts} links that only open artifacts of the store, and a cached job names where its result came
 * from. The tests play the engine by producing its statuses ({@link PipelineFixtures}).
 */
@JobsApiTest
class JobResultsApiIntegrationTest {

    @Autowired
    JsonMapper json;

    @Autowired
    ServiceHttp http;

    @Autowired
    KafkaTestClient kafka;

    @Autowired
    ArtifactStore artifacts;

    PipelineFixtures fixtures;

    @BeforeEach
    void fixtures() {
        fixtures = new PipelineFixtures(kafka);
    }

    @Test
    void showsAnAcceptedRunAsQueuedBeforeTheEngineReadsItAndThenAsTheEngineReportsIt() throws Exception {
        // Given a published pipeline and no engine at all
        String name = PipelineFixtures.uniqueName("queued");
        fixtures.publish(PipelineFixtures.yaml(name, 1, false));
        await().atMost(WAIT).until(() -> get("/api/pipelines/" + name).statusCode() == 200);

        // When alice asks for a run
        HttpResponse<String> accepted = http.post("/api/pipelines/" + name + "/runs",
                "{\"parameters\": {\"date\": \"2026-01-05\"}}", "X-API-Key", USER_KEY);

        // Then it is accepted at once as queued
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        JsonNode answer = json.readTree(accepted.body());
        assertThat(answer.get("status").asString()).isEqualTo("queued");
        String jobId = answer.get("jobId").asString();
        // And the job is there as QUEUED at once (the very next request, before the view read its status back), with
        // its pipeline, parameters (defaults applied), trigger and creation time
        HttpResponse<String> first = get("/api/jobs/" + jobId);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        JsonNode queued = json.readTree(first.body());
        assertThat(queued.get("status").asString()).isEqualTo("QUEUED");
        assertThat(queued.get("pipeline").asString()).isEqualTo(name);
        assertThat(queued.get("pipelineVersion").asInt()).isEqualTo(1);
        assertThat(queued.get("parameters").get("date").asString()).isEqualTo("2026-01-05");
        assertThat(queued.get("parameters").get("chart").asString()).isEqualTo("top-100");
        assertThat(queued.get("triggerId").asString()).isEqualTo(answer.get("triggerId").asString()).startsWith("api:");
        assertThat(queued.get("requestedBy").asString()).isEqualTo("alice");
        assertThat(queued.hasNonNull("createdAt")).isTrue();
        assertThat(queued.get("stages").valueStream().map(stage -> stage.get("status").asString()))
                .containsOnly("PENDING").hasSize(3);
        // And it is listed among the queued jobs
        assertThat(get("/api/jobs?status=QUEUED&pipeline=" + name).body()).contains(jobId);
        // And the trigger the engine will read went out with it
        assertThat(kafka.await(Topics.PIPELINE_TRIGGERS.name(), PipelineTriggered.class,
                record -> record.value().getJobId().equals(jobId), 1, WAIT)).hasSize(1);

        // When the engine starts it
        fixtures.publish(PipelineFixtures.engineJob(jobId, name, 1, JobState.RUNNING));

        // Then the job progresses past QUEUED
        await().atMost(WAIT).until(() -> json.readTree(get("/api/jobs/" + jobId).body()).get("status").asString(),
                "RUNNING"::equals);
    }

    @Test
    void returnsAnInlineResultWithArtifactReferencesAsLinksThatOpenTheArtifact() throws Exception {
        // Given a stored audio file and a completed job whose result refers to it, and to a file outside the store
        String jobId = "result-" + UUID.randomUUID();
        URI audio = artifacts.put("test/" + jobId + "/audio.wav", "RIFF-audio".getBytes(StandardCharsets.UTF_8));
        JobStatus job = PipelineFixtures.engineJob(jobId, "transcribe", 1, JobState.COMPLETED);
        job.setResult("""
                {"text": "hello world", "segments": [{"startMs": 0, "endMs": 1500, "text": "hello"}],
                 "audio": "%s", "elsewhere": "file:/etc/hostname"}""".formatted(audio));
        fixtures.publish(job);

        // When the job is read
        JsonNode read = awaitResult(jobId);

        // Then the result is there, its artifact reference a link, and the outside file left as text
        JsonNode result = read.get("result");
        assertThat(result.get("text").asString()).isEqualTo("hello world");
        assertThat(result.get("segments").get(0).get("endMs").asLong()).isEqualTo(1500);
        String link = result.get("audio").asString();
        assertThat(link).startsWith("/api/artifacts?ref=");
        assertThat(URLDecoder.decode(link.substring("/api/artifacts?ref=".length()), StandardCharsets.UTF_8))
                .isEqualTo(audio.toString());
        assertThat(result.get("elsewhere").asString()).isEqualTo("file:/etc/hostname");
        assertThat(read.has("resultError")).isFalse();
        // And the link opens the artifact for a USER
        HttpResponse<String> file = get(link);
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(file.body()).isEqualTo("RIFF-audio");
        assertThat(file.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("audio"));
    }

    @Test
    void readsAResultKeptByReferenceAndAnswersResultErrorWhenItCannotBeRead() throws Exception {
        // Given a job whose result the engine kept in the store, one whose artifact was cleaned up, one outside it
        String kept = "byref-" + UUID.randomUUID();
        URI stored = artifacts.put("results/" + kept + ".json",
                "{\"text\": \"a long transcript\"}".getBytes(StandardCharsets.UTF_8));
        publishWithRef(kept, stored.toString());
        String gone = "gone-" + UUID.randomUUID();
        URI missing = artifacts.put("results/" + gone + ".json", "{}".getBytes(StandardCharsets.UTF_8));
        artifacts.deleteUnder("results/" + gone + ".json");
        publishWithRef(gone, missing.toString());
        String forged = "forged-" + UUID.randomUUID();
        publishWithRef(forged, "file:/etc/hostname");

        // When they are read
        JsonNode keptJob = awaitJob(kept);
        JsonNode goneJob = awaitJob(gone);
        JsonNode forgedJob = awaitJob(forged);

        // Then the kept one has its result, read from the store, and a link to the whole artifact
        assertThat(keptJob.get("result").get("text").asString()).isEqualTo("a long transcript");
        assertThat(keptJob.get("links").get("result").asString()).startsWith("/api/artifacts?ref=file");
        // And the others answer 200 with the job and a resultError instead of a 500
        assertThat(goneJob.has("result")).isFalse();
        assertThat(goneJob.get("resultError").asString()).contains("gone");
        assertThat(goneJob.get("status").asString()).isEqualTo("COMPLETED");
        assertThat(forgedJob.has("result")).isFalse();
        assertThat(forgedJob.get("resultError").asString()).contains("not in this API's artifact store");
    }

    @Test
    void opensOnlyArtifactsOfTheStoreAndAnswersProblemsOtherwise() throws Exception {
        // Given an artifact of the store
        URI inside = artifacts.put("test/" + UUID.randomUUID() + "/note.txt", "ok".getBytes(StandardCharsets.UTF_8));

        // When a forged reference outside the store is asked for, plainly or by climbing out of the store
        HttpResponse<String> outside = get("/api/artifacts?ref=" + encode("file:/etc/hostname"));
        HttpResponse<String> climbing = get("/api/artifacts?ref=" + encode(inside.resolve("../../../../etc/hostname")
                .toString()));
        // Then both are 403 problems
        assertProblem(outside, 403);
        assertProblem(climbing, 403);
        // And a reference into the store whose artifact does not exist is a 404 problem
        assertProblem(get("/api/artifacts?ref=" + encode(inside.resolve("missing.txt").toString())), 404);
        // And without a key it is a 401, while the real artifact opens
        assertThat(http.get("/api/artifacts?ref=" + encode(inside.toString())).statusCode()).isEqualTo(401);
        assertThat(get("/api/artifacts?ref=" + encode(inside.toString())).body()).isEqualTo("ok");
    }

    @Test
    void showsWhichJobACachedJobTookItsResultFrom() throws Exception {
        // Given a job the engine completed from the result cache
        String jobId = "cached-" + UUID.randomUUID();
        JobStatus job = PipelineFixtures.engineJob(jobId, "transcribe", 1, JobState.COMPLETED);
        job.setCachedFrom("transcribe-original");
        job.setResult("{\"text\": \"from the cache\"}");
        fixtures.publish(job);

        // When it is read, Then it names the job its result came from
        JsonNode read = awaitResult(jobId);
        assertThat(read.get("cachedFrom").asString()).isEqualTo("transcribe-original");
        assertThat(read.get("result").get("text").asString()).isEqualTo("from the cache");
    }

    private void publishWithRef(String jobId, String reference) throws Exception {
        JobStatus job = PipelineFixtures.engineJob(jobId, "transcribe", 1, JobState.COMPLETED);
        job.setResultRef(reference);
        fixtures.publish(job);
    }

    private JsonNode awaitJob(String jobId) {
        return await().atMost(WAIT).until(() -> get("/api/jobs/" + jobId), response -> response.statusCode() == 200)
                .body().transform(json::readTree);
    }

    private JsonNode awaitResult(String jobId) {
        return await().atMost(WAIT).until(() -> get("/api/jobs/" + jobId),
                response -> response.statusCode() == 200 && json.readTree(response.body()).has("result"))
                .body().transform(json::readTree);
    }

    private HttpResponse<String> get(String path) {
        return http.get(path, "X-API-Key", USER_KEY);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private void assertProblem(HttpResponse<String> response, int status) {
        Problems.assertProblem(json, response, status);
    }
}
