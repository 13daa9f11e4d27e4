package io.tally.scheduler.schedules;

import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.events.PipelineTriggered;
import io.tally.events.ScheduleChanged;
import io.tally.scheduler.Schedules;
import io.tally.scheduler.TriggerTopic;
import io.tally.scheduler.definitions.TestDefinitions;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.ServiceHttp;
import io.tally.testsupport.TallyServiceTest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The run-time schedule API on a real broker and registry (scheduling itself off; the leader's side is
 * {@code RunTimeScheduleLeadershipIntegrationTest}): create with validation against the published definition, enable,
 * disable, delete and run now, the records they write, and who may do what. Each test uses a pipeline of its own.
 */
@TallyServiceTest(properties = {
        "tally.scheduler.enabled=false",
        "tally.api.security.api-keys[0].name=test-user",
        "tally.api.security.api-keys[0].key=" + ScheduleApiIntegrationTest.USER_KEY,
        "tally.api.security.api-keys[0].roles=USER",
        "tally.api.security.api-keys[1].name=test-admin",
        "tally.api.security.api-keys[1].key=" + ScheduleApiIntegrationTest.ADMIN_KEY,
        "tally.api.security.api-keys[1].roles=ADMIN"})
class ScheduleApiIntegrationTest {

    static final String USER_KEY = "schedules-test-user-key";
    static final String ADMIN_KEY = "schedules-test-admin-key";

    @Autowired
    ServiceHttp http;

    @Autowired
    KafkaTestClient kafka;

    @Autowired
    AvroSerdes serdes;

    @Value("${spring.embedded.kafka.brokers}")
    String brokers;

    @Autowired
    Schedules schedules;

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void createsAScheduleForAPublishedPipelineListsItAndRecordsItOnTheTopic() throws Exception {
        // Given a published pipeline
        String pipeline = publishedPipeline("create", 1);

        // When a user creates a schedule for it
        HttpResponse<String> created = post("/api/schedules", """
                {"pipeline": "%s", "name": "hourly", "cron": "0 0 * * * *", "zone": "Europe/Berlin",
                 "missedRuns": "fire-once", "parameters": {"count": "25"}}""".formatted(pipeline), USER_KEY);

        // Then it is 201 with where to find it, an api schedule that fires, with who made it
        assertThat(schedules.ready()).as("both topics read to their ends since start").isTrue();
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.headers().firstValue("Location")).hasValue("/api/schedules/" + pipeline + "/hourly");
        JsonNode body = json.readTree(created.body());
        assertThat(body.get("name").asString()).isEqualTo(pipeline + "/hourly");
        assertThat(body.get("origin").asString()).isEqualTo("api");
        assertThat(body.get("enabled").asBoolean()).isTrue();
        assertThat(body.get("missedRuns").asString()).isEqualTo("FIRE_ONCE");
        assertThat(body.get("nextFireTime").isNull()).isFalse();
        assertThat(body.get("updatedBy").asString()).isEqualTo("test-user");
        // And the list shows it at once (the answer waited until this replica read its record)
        assertThat(listed(pipeline + "/hourly").get("zone").asString()).isEqualTo("Europe/Berlin");
        // And the topic holds one record for it, keyed <pipeline>/<schedule>
        assertThat(records(pipeline + "/hourly")).singleElement().satisfies(record -> {
            assertThat(record.getOrigin()).isEqualTo("api");
            assertThat(record.getCron()).isEqualTo("0 0 * * * *");
            assertThat(record.getParameters()).containsEntry("count", "25");
            assertThat(record.getUpdatedBy()).isEqualTo("test-user");
        });
    }

    @Test
    void refusesABadCronZoneMissedRunsAndParametersWith400NamingEachField() throws Exception {
        // Given a published pipeline with a chart (string) and a count (integer) parameter
        String pipeline = publishedPipeline("invalid", 1);

        // When a schedule is created with a bad cron, zone, missed-run policy, count and an unknown parameter
        HttpResponse<String> refused = post("/api/schedules", """
                {"pipeline": "%s", "name": "broken", "cron": "every day", "zone": "Mars/Base", "missedRuns": "later",
                 "parameters": {"count": "many", "colour": "red"}}""".formatted(pipeline), USER_KEY);

        // Then it is a 400 problem naming each field, and nothing is created
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("application/problem+json"));
        assertThat(fields(refused)).containsExactly("cron", "missedRuns", "parameters.colour", "parameters.count",
                "zone");
        assertThat(http.get("/api/schedules/" + pipeline + "/broken").statusCode()).isEqualTo(404);
        assertThat(records(pipeline + "/broken")).isEmpty();
    }

    @Test
    void refusesAnUnpublishedPipelineAndANameThatIsNotKebabWith400() throws Exception {
        // When a schedule is created for a pipeline nobody published, and one with a name that is not kebab
        HttpResponse<String> unpublished = post("/api/schedules", """
                {"pipeline": "never-published-%s", "name": "nightly", "cron": "0 0 2 * * *"}"""
                .formatted(UUID.randomUUID().toString().substring(0, 8)), USER_KEY);
        HttpResponse<String> badName = post("/api/schedules", """
                {"pipeline": "any", "name": "Nightly Run", "cron": "0 0 2 * * *"}""", USER_KEY);

        // Then both are 400, naming the field
        assertThat(unpublished.statusCode()).isEqualTo(400);
        assertThat(fields(unpublished)).containsExactly("pipeline");
        assertThat(badName.statusCode()).isEqualTo(400);
        assertThat(fields(badName)).containsExactly("name");
    }

    @Test
    void answers409ForAScheduleThatExistsAnd404ForOneThatDoesNot() throws Exception {
        // Given a published pipeline that declares chart/nightly
        String pipeline = publishedPipeline("conflict", 1);

        // When the declared schedule is created again, and an unknown one is enabled, run and deleted
        HttpResponse<String> again = post("/api/schedules", """
                {"pipeline": "%s", "name": "nightly", "cron": "0 0 3 * * *"}""".formatted(pipeline), USER_KEY);
        HttpResponse<String> enable = post("/api/schedules/" + pipeline + "/nope/enable", "", USER_KEY);
        HttpResponse<String> run = post("/api/schedules/" + pipeline + "/nope/run", "", USER_KEY);
        HttpResponse<String> delete = delete("/api/schedules/" + pipeline + "/nope", ADMIN_KEY);

        // Then 409 for the existing one (nothing written), 404 problems for the unknown one
        assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
        assertThat(json.readTree(again.body()).get("detail").asString()).contains(pipeline + "/nightly");
        assertThat(records(pipeline + "/nightly")).isEmpty();
        assertThat(List.of(enable.statusCode(), run.statusCode(), delete.statusCode())).containsOnly(404);
        assertThat(json.readTree(enable.body()).get("detail").asString()).contains(pipeline + "/nope");
    }

    @Test
    void disablesAndEnablesADeclaredScheduleOnceEachRecordingWhoDidIt() throws Exception {
        // Given a published pipeline that declares chart/nightly, enabled
        String pipeline = publishedPipeline("toggle", 1);
        String name = pipeline + "/nightly";

        // When a user disables it, twice
        HttpResponse<String> disabled = post("/api/schedules/" + name + "/disable", "", USER_KEY);
        HttpResponse<String> again = post("/api/schedules/" + name + "/disable", "", USER_KEY);

        // Then it is disabled, still of origin definition, changed by the user; the repeat wrote nothing
        assertThat(disabled.statusCode()).as(disabled.body()).isEqualTo(200);
        JsonNode view = json.readTree(disabled.body());
        assertThat(view.get("enabled").asBoolean()).isFalse();
        assertThat(view.get("origin").asString()).isEqualTo("definition");
        assertThat(view.get("nextFireTime").isNull()).isTrue();
        assertThat(view.get("updatedBy").asString()).isEqualTo("test-user");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(listed(name).get("enabled").asBoolean()).isFalse();
        assertThat(records(name)).singleElement().satisfies(record -> {
            assertThat(record.getOrigin()).isEqualTo("definition");
            assertThat(record.getEnabled()).isFalse();
            assertThat(record.getDefinitionVersion()).isEqualTo(1);
        });

        // When an admin enables it again
        HttpResponse<String> enabled = post("/api/schedules/" + name + "/enable", "", ADMIN_KEY);

        // Then it fires again, changed by the admin
        assertThat(enabled.statusCode()).isEqualTo(200);
        assertThat(json.readTree(enabled.body()).get("enabled").asBoolean()).isTrue();
        assertThat(listed(name).get("updatedBy").asString()).isEqualTo("test-admin");
    }

    @Test
    void aNewDefinitionVersionDoesNotEnableAgainAScheduleAUserDisabled() throws Exception {
        // Given a declared schedule a user disabled
        String pipeline = publishedPipeline("sticky", 1);
        String name = pipeline + "/nightly";
        assertThat(post("/api/schedules/" + name + "/disable", "", USER_KEY).statusCode()).isEqualTo(200);

        // When version 2 declares it (enabled, on another cron)
        TestDefinitions.publish(kafka, definition(pipeline, 2, "0 30 3 * * *"));
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> listed(name).get("source").asString().equals(pipeline + "@2"));

        // Then it stays disabled, on version 2's cron
        JsonNode view = listed(name);
        assertThat(view.get("enabled").asBoolean()).isFalse();
        assertThat(view.get("cron").asString()).isEqualTo("0 30 3 * * *");
    }

    @Test
    void deletingNeedsAnAdminAndADeletedDeclaredScheduleStaysDeletedInANewVersion() throws Exception {
        // Given a published pipeline that declares chart/nightly
        String pipeline = publishedPipeline("delete", 1);
        String name = pipeline + "/nightly";

        // When a user (not an admin) deletes it, then an admin does
        HttpResponse<String> byUser = delete("/api/schedules/" + name, USER_KEY);
        HttpResponse<String> byAdmin = delete("/api/schedules/" + name, ADMIN_KEY);

        // Then the user is refused (403 problem), the admin's delete is 204 and the schedule is no longer listed
        assertThat(byUser.statusCode()).isEqualTo(403);
        assertThat(byAdmin.statusCode()).as(byAdmin.body()).isEqualTo(204);
        assertThat(http.get("/api/schedules/" + name).statusCode()).isEqualTo(404);
        assertThat(records(name)).singleElement().satisfies(record -> assertThat(record.getDeleted()).isTrue());

        // When version 2 still declares it
        TestDefinitions.publish(kafka, definition(pipeline, 2, "0 0 2 * * *").replace("schedules:",
                "schedules:\n  - {name: weekly, cron: \"0 0 2 * * SUN\"}"));
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> http.get("/api/schedules/" + pipeline + "/weekly").statusCode() == 200);

        // Then it stays deleted
        assertThat(http.get("/api/schedules/" + name).statusCode()).isEqualTo(404);
    }

    @Test
    void deletesAScheduleCreatedThroughTheApiWithATombstone() throws Exception {
        // Given a schedule created through the API
        String pipeline = publishedPipeline("tombstone", 1);
        String name = pipeline + "/hourly";
        assertThat(post("/api/schedules", """
                {"pipeline": "%s", "name": "hourly", "cron": "0 0 * * * *"}""".formatted(pipeline), USER_KEY)
                .statusCode()).isEqualTo(201);

        // When an admin deletes it
        assertThat(delete("/api/schedules/" + name, ADMIN_KEY).statusCode()).isEqualTo(204);

        // Then it is gone, its key's latest record is a tombstone, and it can be created again
        assertThat(http.get("/api/schedules/" + name).statusCode()).isEqualTo(404);
        List<ConsumerRecord<String, ScheduleChanged>> all = kafka.readAll(Topics.SCHEDULES.name(),
                ScheduleChanged.class, Duration.ofSeconds(30)).stream().filter(r -> name.equals(r.key())).toList();
        assertThat(all).hasSize(2);
        assertThat(all.get(1).value()).isNull();
        assertThat(post("/api/schedules", """
                {"pipeline": "%s", "name": "hourly", "cron": "0 0 * * * *"}""".formatted(pipeline), USER_KEY)
                .statusCode()).isEqualTo(201);
    }

    @Test
    void runNowEmitsAManualTriggerWithTheSchedulesParametersRequestedByTheCaller() throws Exception {
        // Given a declared schedule with chart=hype-100, disabled by a user
        String pipeline = publishedPipeline("run", 1);
        String name = pipeline + "/nightly";
        post("/api/schedules/" + name + "/disable", "", USER_KEY);
        String key = "run-" + UUID.randomUUID();

        // When it is run now, twice with the same Idempotency-Key
        HttpResponse<String> first = http.send(http.request("/api/schedules/" + name + "/run", "X-API-Key", USER_KEY,
                "Idempotency-Key", key).POST(java.net.http.HttpRequest.BodyPublishers.noBody()));
        HttpResponse<String> retry = http.send(http.request("/api/schedules/" + name + "/run", "X-API-Key", USER_KEY,
                "Idempotency-Key", key).POST(java.net.http.HttpRequest.BodyPublishers.noBody()));

        // Then both answer 202 with the same manual trigger, emitted once with the schedule's pipeline and parameters
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        assertThat(retry.body()).isEqualTo(first.body());
        String triggerId = json.readTree(first.body()).get("triggerId").asString();
        assertThat(triggerId).isEqualTo("manual:" + key);
        List<ConsumerRecord<String, PipelineTriggered>> triggers = TriggerTopic.read(brokers, serdes,
                trigger -> trigger.getTriggerId().equals(triggerId));
        assertThat(triggers).singleElement().satisfies(record -> {
            assertThat(record.value().getPipeline()).isEqualTo(pipeline);
            assertThat(record.value().getParameters()).containsEntry("chart", "hype-100");
            assertThat(record.value().getSchedule()).as("recorded as manual").isNull();
            assertThat(record.value().getRequestedBy()).isEqualTo("test-user");
        });
    }

    @Test
    void changesNeedCredentialsWhileTheListDoesNot() throws Exception {
        // Given a published pipeline
        String pipeline = publishedPipeline("anonymous", 1);

        // When a schedule is created and disabled with no key, and the list is read with none
        HttpResponse<String> create = http.post("/api/schedules", """
                {"pipeline": "%s", "name": "hourly", "cron": "0 0 * * * *"}""".formatted(pipeline));
        HttpResponse<String> disable = http.post("/api/schedules/" + pipeline + "/nightly/disable", "");

        // Then the changes are 401 problems, and the list answers
        assertThat(create.statusCode()).isEqualTo(401);
        assertThat(disable.statusCode()).isEqualTo(401);
        assertThat(listed(pipeline + "/nightly").get("enabled").asBoolean()).isTrue();
    }

    /** Publishes version {@code version} of a new pipeline declaring {@code nightly} and waits until it is listed. */
    private String publishedPipeline(String prefix, int version) throws Exception {
        String pipeline = "it-" + prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        TestDefinitions.publish(kafka, definition(pipeline, version, "0 0 2 * * *"));
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> http.get("/api/schedules/" + pipeline + "/nightly").statusCode() == 200);
        return pipeline;
    }

    private static String definition(String pipeline, int version, String nightlyCron) {
        return """
                name: %s
                version: %d
                parameters:
                  chart: {type: string, default: top-100}
                  count: {type: integer, default: "10"}
                schedules:
                  - {name: nightly, cron: "%s", parameters: {chart: hype-100}}
                stages:
                  - id: scrape
                    task: scrape-chart
                """.formatted(pipeline, version, nightlyCron);
    }

    private HttpResponse<String> post(String path, String body, String key) {
        return http.post(path, body, "X-API-Key", key);
    }

    private HttpResponse<String> delete(String path, String key) {
        return http.send(http.request(path, "X-API-Key", key).DELETE());
    }

    private JsonNode listed(String name) throws Exception {
        for (JsonNode schedule : json.readTree(http.get("/api/schedules").body())) {
            if (schedule.get("name").asString().equals(name)) {
                return schedule;
            }
        }
        throw new AssertionError("schedule " + name + " is not listed");
    }

    private List<String> fields(HttpResponse<String> problem) throws Exception {
        List<String> fields = new ArrayList<>();
        json.readTree(problem.body()).get("errors").forEach(error -> fields.add(error.get("field").asString()));
        return fields;
    }

    private List<ScheduleChanged> records(String schedule) {
        return kafka.readAll(Topics.SCHEDULES.name(), ScheduleChanged.class, Duration.ofSeconds(30)).stream()
                .filter(record -> schedule.equals(record.key()))
                .map(ConsumerRecord::value)
                .toList();
    }
}
