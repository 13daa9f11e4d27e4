package io.tally.jobsapi;

import static io.tally.jobsapi.JobsApiTest.USER_KEY;
import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tally.common.topics.Topics;
import io.tally.events.JobCancelRequested;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.events.PipelineTriggered;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.ServiceHttp;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The pipeline endpoints, run parameter checks against published definitions, and job cancel, on the shared test
 * broker and registry. The tests play the definition publisher and the tracker ({@link PipelineFixtures}); every
 * pipeline has a name of its own, since the definitions topic is shared by every test class.
 */
@JobsApiTest
class PipelinesApiIntegrationTest {

    @Autowired
    JsonMapper json;

    @Autowired
    ServiceHttp http;

    @Autowired
    KafkaTestClient kafka;

    PipelineFixtures fixtures;

    @BeforeEach
    void fixtures() {
        fixtures = new PipelineFixtures(kafka);
    }

    @Test
    void listsEachPipelineAtItsLatestVersionWithParametersSchedulesStagesAndTheVersionsKnown() throws Exception {
        // Given two versions of a pipeline, the second with a fourth stage
        String name = PipelineFixtures.uniqueName("list");
        fixtures.publishTwoVersions(name);
        // When the pipelines are listed (once the view has both versions)
        JsonNode pipeline = await().atMost(WAIT).until(() -> find(json.readTree(get("/api/pipelines").body()), name),
                found -> found != null && found.get("version").asInt() == 2);
        // Then it is there once, at version 2, with everything its definition declares
        assertThat(json.readTree(get("/api/pipelines").body()).valueStream()
                .filter(node -> node.get("name").asString().equals(name))).hasSize(1);
        assertThat(pipeline.get("description").asString()).isEqualTo("Chart to playlist, for tests");
        assertThat(ints(pipeline.get("versions"))).containsExactly(1, 2);
        JsonNode date = pipeline.get("parameters").get(0);
        assertThat(date.get("name").asString()).isEqualTo("date");
        assertThat(date.get("type").asString()).isEqualTo("DATE");
        assertThat(date.get("required").asBoolean()).isTrue();
        assertThat(date.get("description").asString()).isEqualTo("The chart date");
        JsonNode chart = pipeline.get("parameters").get(2);
        assertThat(chart.get("defaultValue").asString()).isEqualTo("top-100");
        assertThat(chart.get("required").asBoolean()).isFalse();
        assertThat(texts(chart.get("allowed"))).containsExactly("top-100", "hype-100");
        JsonNode schedule = pipeline.get("schedules").get(0);
        assertThat(schedule.get("cron").asString()).isEqualTo("0 0 8 * * MON");
        assertThat(schedule.get("zone").asString()).isEqualTo("Europe/Berlin");
        assertThat(schedule.get("parameters").get("date").asString()).isEqualTo("2026-01-05");
        List<String> stageIds = new ArrayList<>();
        pipeline.get("stages").forEach(stage -> stageIds.add(stage.get("id").asString()));
        assertThat(stageIds).containsExactly("scrape", "search", "notify", "archive");
        JsonNode scrape = pipeline.get("stages").get(0);
        assertThat(scrape.get("task").asString()).isEqualTo("scrape-chart");
        assertThat(scrape.get("retryAttempts").asInt()).isEqualTo(3);
        assertThat(scrape.get("forEach").asBoolean()).isFalse();
        assertThat(Duration.parse(scrape.get("timeout").asString())).isEqualTo(Duration.ofMinutes(5));
        JsonNode search = pipeline.get("stages").get(1);
        assertThat(search.get("forEach").asBoolean()).isTrue();
        assertThat(search.get("onFailure").asString()).isEqualTo("CONTINUE");
        assertThat(texts(pipeline.get("stages").get(2).get("dependsOn"))).containsExactly("scrape", "search");
    }

    @Test
    void readsTheLatestOrAGivenVersionAndAnswers404ProblemsForUnknownNamesAndVersions() throws Exception {
        // Given versions 1 and 2 of a pipeline
        String name = PipelineFixtures.uniqueName("get");
        fixtures.publishTwoVersions(name);
        await().atMost(WAIT).until(() -> get("/api/pipelines/" + name),
                response -> response.statusCode() == 200 && json.readTree(response.body()).get("version").asInt() == 2);
        // When the first version, a version never published and an unknown pipeline are read
        HttpResponse<String> first = get("/api/pipelines/" + name + "/versions/1");
        HttpResponse<String> missingVersion = get("/api/pipelines/" + name + "/versions/7");
        HttpResponse<String> missingName = get("/api/pipelines/no-such-" + name);
        HttpResponse<String> missingNameVersion = get("/api/pipelines/no-such-" + name + "/versions/1");
        // Then version 1 has its own three stages and knows both versions; the others are 404 problems naming them
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        JsonNode v1 = json.readTree(first.body());
        assertThat(v1.get("version").asInt()).isEqualTo(1);
        assertThat(v1.get("stages")).hasSize(3);
        assertThat(ints(v1.get("versions"))).containsExactly(1, 2);
        assertProblem(missingVersion, 404);
        assertThat(detail(missingVersion)).contains("no version 7").contains("[1, 2]");
        assertProblem(missingName, 404);
        assertThat(detail(missingName)).contains("no-such-" + name);
        assertProblem(missingNameVersion, 404);
    }

    @Test
    void runsAPipelineOnlyOnceItsDefinitionIsPublishedAndRefusesParametersThatDoNotFitItWith400ListingEach()
            throws Exception {
        // Given a pipeline name whose definition is not published yet
        String name = PipelineFixtures.uniqueName("params");
        String early = "early-" + UUID.randomUUID();
        // When a run of it is requested, Then it is a 404 problem naming the pipeline and no trigger is written
        HttpResponse<String> unpublished = http.post("/api/pipelines/" + name + "/runs",
                "{\"parameters\": {\"date\": \"2026-01-05\"}}", "X-API-Key", USER_KEY, "Idempotency-Key", early);
        assertProblem(unpublished, 404);
        assertThat(detail(unpublished)).contains(name).contains("GET /api/pipelines");
        // Given its definition is then published
        fixtures.publish(PipelineFixtures.yaml(name, 1, false));
        await().atMost(WAIT).until(() -> get("/api/pipelines/" + name).statusCode() == 200);
        // When a run gives a bad date, a chart that is not allowed and an unknown parameter
        String key = "bad-params-" + UUID.randomUUID();
        HttpResponse<String> refused = http.post("/api/pipelines/" + name + "/runs",
                "{\"parameters\": {\"date\": \"yesterday\", \"chart\": \"top-10\", \"colour\": \"red\"}}",
                "X-API-Key", USER_KEY, "Idempotency-Key", key);
        // Then it is a 400 problem listing each bad parameter, naming them in the detail, and no trigger is written
        assertProblem(refused, 400);
        JsonNode body = json.readTree(refused.body());
        List<String> fields = new ArrayList<>();
        body.get("errors").forEach(error -> fields.add(error.get("field").asString()));
        assertThat(fields).containsExactly("parameters.chart", "parameters.colour", "parameters.date");
        assertThat(body.get("errors").get(2).get("message").asString()).contains("'yesterday' is not a date");
        assertThat(detail(refused)).contains("date").contains("chart").contains("colour");
        assertThat(kafka.await(Topics.PIPELINE_TRIGGERS.name(), PipelineTriggered.class,
                record -> record.key().equals("api:" + key) || record.key().equals("api:" + early), 0,
                Duration.ofSeconds(3))).isEmpty();
        // And a run that gives only the required date is accepted: the published definition makes the pipeline runnable
        HttpResponse<String> accepted = http.post("/api/pipelines/" + name + "/runs",
                "{\"parameters\": {\"date\": \"2026-01-05\"}}", "X-API-Key", USER_KEY);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(json.readTree(accepted.body()).get("jobId").asString()).startsWith(name + "-");
    }

    @Test
    void rerunsAnEngineJobWithTheParametersItStoredAndRefusesOnesTheLatestVersionDoesNotTake() throws Exception {
        // Given a published pipeline, a job that ran on it with a genre chart, and one whose chart the pipeline
        // no longer allows
        String name = publishedPipeline("rerun");
        String ran = "ran-" + UUID.randomUUID();
        JobStatus job = PipelineFixtures.engineJob(ran, name, 1, JobState.COMPLETED);
        job.setParameters(Map.of("date", "2026-01-05", "limit", "10", "chart", "hype-100"));
        fixtures.publish(job);
        String outdated = "outdated-" + UUID.randomUUID();
        JobStatus old = PipelineFixtures.engineJob(outdated, name, 1, JobState.COMPLETED);
        old.setParameters(Map.of("date", "2026-01-05", "limit", "10", "chart", "top-10"));
        fixtures.publish(old);
        awaitJob(ran);
        awaitJob(outdated);
        assertThat(json.readTree(get("/api/jobs/" + ran).body()).get("parameters").get("chart").asString())
                .isEqualTo("hype-100");

        // When each is rerun
        HttpResponse<String> rerun = http.post("/api/jobs/" + ran + "/rerun", "{}", "X-API-Key", USER_KEY);
        HttpResponse<String> refused = http.post("/api/jobs/" + outdated + "/rerun", "{}", "X-API-Key", USER_KEY);

        // Then the first is a new job whose trigger carries the stored parameters
        assertThat(rerun.statusCode()).as(rerun.body()).isEqualTo(202);
        JsonNode accepted = json.readTree(rerun.body());
        assertThat(accepted.get("jobId").asString()).isNotEqualTo(ran).startsWith(name + "-");
        assertThat(kafka.await(Topics.PIPELINE_TRIGGERS.name(), PipelineTriggered.class,
                KafkaTestClient.withKey(accepted.get("triggerId").asString()), 1, WAIT)).singleElement()
                .satisfies(trigger -> assertThat(trigger.value().getParameters())
                        .containsExactlyInAnyOrderEntriesOf(Map.of("date", "2026-01-05", "limit", "10", "chart", "hype-100")));
        // And the second is a 409 problem naming the parameter the latest version refuses
        assertProblem(refused, 409);
        assertThat(detail(refused)).contains("chart").contains("POST /api/pipelines/" + name + "/runs");
    }

    @Test
    void cancelWritesOneRequestWithTheCallerAndReasonAndAnswers202() throws Exception {
        // Given a running job
        String jobId = "cancel-" + UUID.randomUUID();
        fixtures.publish(PipelineFixtures.engineJob(jobId, "some-pipeline", 1, JobState.RUNNING));
        awaitJob(jobId);
        // When a user cancels it with a reason
        HttpResponse<String> response = http.post("/api/jobs/" + jobId + "/cancel", "{\"reason\": \"wrong date\"}",
                "X-API-Key", USER_KEY);
        // Then the answer is 202 with the job, and one request keyed by the job id names the caller and the reason
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(json.readTree(response.body()).get("jobId").asString()).isEqualTo(jobId);
        fixtures.assertOneCancelRequest(jobId, "alice", "wrong date");
    }

    @Test
    void cancelAnswers404ForAnUnknownJobAnd409ForAnEndedOneOrOneTheEngineDoesNotRun() throws Exception {
        // Given a job that ended CANCELLED and one that ended FAILED
        String cancelled = "ended-" + UUID.randomUUID();
        String failed = "failed-" + UUID.randomUUID();
        fixtures.publish(PipelineFixtures.engineJob(cancelled, "some-pipeline", 1, JobState.CANCELLED));
        fixtures.publish(PipelineFixtures.engineJob(failed, "some-pipeline", 1, JobState.FAILED));
        String serviceWired = "wired-" + UUID.randomUUID();
        JobStatus wired = PipelineFixtures.engineJob(serviceWired, "beatport-chart", 1, JobState.RUNNING);
        wired.setPipelineVersion(null);
        fixtures.publish(wired);
        awaitJob(cancelled);
        awaitJob(failed);
        awaitJob(serviceWired);
        // When each is cancelled, and so is a job nobody knows (without a body), and a running job the engine does
        // not run (a JobCreated job of the service-wired chart pipeline)
        HttpResponse<String> legacy = http.post("/api/jobs/" + serviceWired + "/cancel", "{}", "X-API-Key", USER_KEY);
        HttpResponse<String> again = http.post("/api/jobs/" + cancelled + "/cancel", "{}", "X-API-Key", USER_KEY);
        HttpResponse<String> ended = http.post("/api/jobs/" + failed + "/cancel", "{}", "X-API-Key", USER_KEY);
        HttpResponse<String> unknown = http.send(http.request("/api/jobs/no-such-" + cancelled + "/cancel",
                "X-API-Key", USER_KEY).POST(java.net.http.HttpRequest.BodyPublishers.noBody()));
        // Then the ended ones are 409 problems naming their state, the unknown one a 404, and nothing is written
        assertProblem(again, 409);
        assertThat(detail(again)).contains("CANCELLED");
        assertProblem(ended, 409);
        assertThat(detail(ended)).contains("FAILED");
        assertProblem(unknown, 404);
        assertProblem(legacy, 409);
        assertThat(detail(legacy)).contains("not run by the pipeline engine");
        assertThat(kafka.await(Topics.JOB_CANCEL_REQUESTS.name(), JobCancelRequested.class,
                record -> record.key().equals(cancelled) || record.key().equals(failed)
                        || record.key().equals(serviceWired), 0, Duration.ofSeconds(3)))
                .isEmpty();
    }

    @Test
    void aJobShowsItsPipelineVersionAndWhyItEnded() throws Exception {
        // Given a job of version 3 that ended FAILED, and the tracker's completion with its reason
        String jobId = "reason-" + UUID.randomUUID();
        JobStatus job = PipelineFixtures.engineJob(jobId, "some-pipeline", 3, JobState.FAILED);
        fixtures.publish(job);
        fixtures.completed(job, "stage search failed: quota: YouTube quota exceeded");
        // When it is read
        JsonNode read = await().atMost(WAIT).until(() -> get("/api/jobs/" + jobId),
                response -> response.statusCode() == 200 && json.readTree(response.body()).hasNonNull("reason"))
                .body().transform(json::readTree);
        // Then it has the version and the reason
        assertThat(read.get("status").asString()).isEqualTo("FAILED");
        assertThat(read.get("pipelineVersion").asInt()).isEqualTo(3);
        assertThat(read.get("reason").asString()).isEqualTo("stage search failed: quota: YouTube quota exceeded");
    }

    /** A new pipeline's version 1, published and served by the API. */
    private String publishedPipeline(String prefix) throws Exception {
        String name = PipelineFixtures.uniqueName(prefix);
        fixtures.publish(PipelineFixtures.yaml(name, 1, false));
        await().atMost(WAIT).until(() -> get("/api/pipelines/" + name).statusCode() == 200);
        return name;
    }

    private void awaitJob(String jobId) {
        await().atMost(WAIT).until(() -> get("/api/jobs/" + jobId).statusCode() == 200);
    }

    private HttpResponse<String> get(String path) {
        return http.get(path, "X-API-Key", USER_KEY);
    }

    private String detail(HttpResponse<String> response) {
        return json.readTree(response.body()).get("detail").asString();
    }

    private void assertProblem(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(json.readTree(response.body()).get("status").asInt()).isEqualTo(status);
    }

    private static JsonNode find(JsonNode pipelines, String name) {
        return pipelines.valueStream().filter(node -> node.get("name").asString().equals(name)).findFirst()
                .orElse(null);
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asInt()));
        return values;
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asString()));
        return values;
    }
}
