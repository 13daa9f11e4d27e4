package io.tally.scheduler.manual;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.kafka.AvroSerdes;
import io.tally.events.PipelineTriggered;
import io.tally.scheduler.TriggerTopic;
import io.tally.scheduler.cron.ScheduleLeader;
import io.tally.testsupport.RawHttp;
import io.tally.testsupport.ServiceHttp;
import io.tally.testsupport.TallyServiceTest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code POST /api/triggers} on a real broker and registry: 202 and the event, idempotency, and problem+json errors. */
@TallyServiceTest(properties = {
        "tally.scheduler.enabled=false",
        "tally.api.security.api-keys[0].name=test-user",
        "tally.api.security.api-keys[0].key=" + ManualTriggerIntegrationTest.USER_KEY,
        "tally.api.security.api-keys[0].roles=USER",
        // None is configured by default any more; this one shows that the list answers without a key.
        "tally.scheduler.schedules[0].name=listed-schedule",
        "tally.scheduler.schedules[0].pipeline=beatport-chart",
        "tally.scheduler.schedules[0].cron=0 0 8 * * MON",
        "tally.scheduler.schedules[0].zone=UTC"})
class ManualTriggerIntegrationTest {

    static final String USER_KEY = "scheduler-test-user-key";

    @Autowired
    ServiceHttp http;

    @Value("${spring.embedded.kafka.brokers}")
    String brokers;

    @Autowired
    AvroSerdes serdes;

    @Autowired
    ObjectProvider<ScheduleLeader> leader;

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void acceptsATriggerWith202AndEmitsItKeyedByTriggerId() throws Exception {
        // When a run of a pipeline is requested without an idempotency key
        HttpResponse<String> response = post("{\"pipeline\":\"beatport-chart\",\"parameters\":{\"date\":\"2026-01-25\"}}", null);
        // Then the answer is 202 with the ids, and the event is on the trigger topic under the trigger id
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode body = json.readTree(response.body());
        String triggerId = body.get("triggerId").asString();
        assertThat(triggerId).startsWith("manual:");
        assertThat(body.get("jobId").asString()).startsWith("beatport-chart-");
        List<ConsumerRecord<String, PipelineTriggered>> records = TriggerTopic.read(brokers, serdes,
                t -> t.getTriggerId().equals(triggerId));
        assertThat(records).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo(triggerId);
            assertThat(record.value().getJobId()).isEqualTo(body.get("jobId").asString());
            assertThat(record.value().getSchedule()).isNull();
            assertThat(record.value().getParameters()).containsEntry("date", "2026-01-25");
            assertThat(record.value().getRequestedBy()).as("the authenticated caller").isEqualTo("test-user");
        });
        assertThat(leader.getIfAvailable()).as("scheduling is off in this test").isNull();
    }

    @Test
    void answersARepeatedIdempotencyKeyWithTheSameIdsAndEmitsOnce() throws Exception {
        // Given an idempotency key
        String key = "retry-" + UUID.randomUUID();
        String request = "{\"pipeline\":\"beatport-chart\"}";
        // When the same request is sent twice with it
        HttpResponse<String> first = post(request, key);
        HttpResponse<String> second = post(request, key);
        // Then both answers carry the same trigger id and job id, and one event was emitted
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        assertThat(second.statusCode()).isEqualTo(202);
        assertThat(json.readTree(second.body())).isEqualTo(json.readTree(first.body()));
        assertThat(json.readTree(first.body()).get("triggerId").asString()).isEqualTo("manual:" + key);
        assertThat(TriggerTopic.read(brokers, serdes, t -> t.getTriggerId().equals("manual:" + key))).hasSize(1);
    }

    @Test
    void rejectsAMissingPipelineWithAProblemNamingTheField() throws Exception {
        // When a request has no pipeline
        HttpResponse<String> response = post("{\"parameters\":{}}", null);
        // Then it is a 400 problem+json that names the field
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = json.readTree(response.body());
        assertThat(problem.get("detail").asString()).contains("pipeline");
        assertThat(problem.get("errors").get(0).get("field").asString()).isEqualTo("pipeline");
    }

    @Test
    void rejectsABodyThatIsNotJsonWithAProblem() throws Exception {
        // When the body is not JSON
        HttpResponse<String> response = post("pipeline=beatport-chart", null);
        // Then it is a 400 problem+json
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
    }

    @Test
    void rejectsAnIdempotencyKeyReusedForAnotherRequestWithConflict() throws Exception {
        // Given a key used for one pipeline
        String key = "reuse-" + UUID.randomUUID();
        assertThat(post("{\"pipeline\":\"beatport-chart\"}", key).statusCode()).isEqualTo(202);
        // When it is reused for another pipeline
        HttpResponse<String> response = post("{\"pipeline\":\"other\"}", key);
        // Then it is a 409 problem and nothing else was emitted for the key
        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(response.body()).contains("Idempotency-Key");
        assertThat(TriggerTopic.read(brokers, serdes, t -> t.getTriggerId().equals("manual:" + key)))
                .singleElement().satisfies(r -> assertThat(r.value().getPipeline()).isEqualTo("beatport-chart"));
    }

    @Test
    void refusesATriggerWithoutCredentialsWith401ProblemAndEmitsNothing() throws Exception {
        // When a trigger is requested without a key, and with a key that is not configured
        String key = "anonymous-" + UUID.randomUUID();
        HttpResponse<String> anonymous = send(HttpRequest.newBuilder(triggers()), "{\"pipeline\":\"beatport-chart\"}", key);
        HttpResponse<String> unknown = send(HttpRequest.newBuilder(triggers()).header("X-API-Key", "no-such-key-0123456789"),
                "{\"pipeline\":\"beatport-chart\"}", key);
        // Then both are 401 problem+json, and no trigger was emitted for the idempotency key
        for (HttpResponse<String> response : List.of(anonymous, unknown)) {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(json.readTree(response.body()).get("title").asString()).isEqualTo("Unauthorized");
        }
        assertThat(post("{\"pipeline\":\"beatport-chart\"}", "after-" + key).statusCode()).isEqualTo(202);
        assertThat(TriggerTopic.read(brokers, serdes, t -> t.getTriggerId().startsWith("manual:after-" + key))).hasSize(1);
        assertThat(TriggerTopic.read(brokers, serdes, t -> t.getTriggerId().equals("manual:" + key))).isEmpty();
    }

    @Test
    void keepsTheScheduleListAndProbesReadableWithoutCredentials() throws Exception {
        // When the dashboard's schedule list and the readiness probe are read without a key
        HttpResponse<String> schedules = http.send(HttpRequest.newBuilder(
                http.uri("/api/schedules")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                http.uri("/actuator/health/liveness")).build(), HttpResponse.BodyHandlers.ofString());
        // Then both answer as before
        assertThat(schedules.statusCode()).as(schedules.body()).isEqualTo(200);
        assertThat(schedules.body()).contains("\"name\":\"listed-schedule\"");
        assertThat(health.statusCode()).isEqualTo(200);
    }

    @Test
    void answersAMalformedRawUrlWith400ProblemJson() throws Exception {
        // When a raw request (no client normalisation) carries an encoded path traversal, or characters not allowed
        RawHttp.Response traversal = RawHttp.exchange(http.port(), "GET /api/admin/dead-letters/..%2F..%2Fetc HTTP/1.1");
        RawHttp.Response invalid = RawHttp.exchange(http.port(), "GET /api/schedules?q=<script> HTTP/1.1");
        // Then each is a 400 with a problem+json body, not Tomcat's HTML page
        for (RawHttp.Response response : List.of(traversal, invalid)) {
            assertThat(response.status()).as(response.text()).isEqualTo(400);
            assertThat(response.header("Content-Type")).as(response.text()).startsWith("application/problem+json");
            JsonNode problem = json.readTree(response.body());
            assertThat(problem.get("status").asInt()).isEqualTo(400);
            assertThat(problem.get("title").asString()).isEqualTo("Bad Request");
        }
    }

    private URI triggers() {
        return http.uri("/api/triggers");
    }

    private HttpResponse<String> send(HttpRequest.Builder request, String body, String idempotencyKey) throws Exception {
        request.header("Content-Type", "application/json").header("Idempotency-Key", idempotencyKey)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String body, String idempotencyKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(triggers())
                .header("X-API-Key", USER_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
