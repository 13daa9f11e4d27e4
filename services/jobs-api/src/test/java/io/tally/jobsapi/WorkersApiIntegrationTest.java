package io.tally.jobsapi;

import static io.tally.jobsapi.JobsApiTest.ADMIN_KEY;
import static io.tally.jobsapi.JobsApiTest.USER_KEY;
import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import io.tally.events.WorkerHeartbeat;
import io.tally.events.WorkerStatus;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.ServiceHttp;
import java.net.CookieManager;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The workers view on the embedded broker: heartbeats written to {@code tally.workers.heartbeats} (IDLE, BUSY with a
 * task, STOPPED, and a silent one that becomes LOST) come back from {@code GET /api/workers} with their freshness,
 * joined with a real consumer in a {@code tally-worker-<type>} group; one worker reads alone or answers 404;
 * forgetting works for a gone instance only, and for ADMIN only.
 */
@JobsApiTest
class WorkersApiIntegrationTest {

    private static final long INTERVAL_MS = 10_000;
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

    @Autowired
    JsonMapper json;

    @Autowired
    ServiceHttp http;

    @Autowired
    KafkaTestClient kafka;

    @Test
    void listsEveryInstanceWithItsDerivedStatusGroupMembershipAndFreshness() throws Exception {
        // Given four instances' heartbeats: idle, busy with a task, stopped, and one silent for 5 intervals
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String type = "wv-type-" + suffix;
        String idle = "idle-" + suffix;
        String busy = "busy-" + suffix;
        String stopped = "stopped-" + suffix;
        String lost = "lost-" + suffix;
        Instant now = Instant.now();
        Instant claimed = now.minusSeconds(3);
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(Topics.WORKER_HEARTBEATS.name(), idle,
                    heartbeat(idle, type, WorkerStatus.IDLE, now).build()));
            producer.send(new ProducerRecord<>(Topics.WORKER_HEARTBEATS.name(), busy,
                    heartbeat(busy, type, WorkerStatus.BUSY, now).setCurrentTask("task-42")
                            .setCurrentTaskSince(claimed).setTasksSucceeded(7).setTasksFailed(2)
                            .setLeaderOf(List.of("sources")).build()));
            producer.send(new ProducerRecord<>(Topics.WORKER_HEARTBEATS.name(), stopped,
                    heartbeat(stopped, type, WorkerStatus.STOPPED, now.minusSeconds(600)).build()));
            producer.send(new ProducerRecord<>(Topics.WORKER_HEARTBEATS.name(), lost,
                    heartbeat(lost, type, WorkerStatus.BUSY, now.minusMillis(5 * INTERVAL_MS)).build()));
            producer.flush();
        }
        // And the busy instance is a member of its type's group, with the SDK's static id
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TaskHeaders.requestTopic(type), 2, (short) 1))).all().get();
        }
        try (KafkaConsumer<byte[], byte[]> member = WorkerGroupMember.join(kafka, "tally-worker-" + type,
                busy + "-" + type, TaskHeaders.requestTopic(type))) {

            // When the workers are listed (once the view and the group cache have both caught up)
            JsonNode answer = await().atMost(WAIT).until(() -> list(USER_KEY),
                    found -> worker(found, lost) != null && worker(found, busy).path("inGroup").asBoolean());

            // Then each instance has its stated and derived status
            assertThat(worker(answer, idle).get("derivedStatus").asString()).isEqualTo("IDLE");
            assertThat(worker(answer, stopped).get("derivedStatus").asString()).isEqualTo("STOPPED");
            assertThat(worker(answer, lost).get("status").asString()).isEqualTo("BUSY");
            assertThat(worker(answer, lost).get("derivedStatus").asString()).isEqualTo("LOST");
            assertThat(worker(answer, lost).get("heartbeatAgeMs").asLong()).isGreaterThanOrEqualTo(5 * INTERVAL_MS);
            // And the busy one names its task, claim time, counts, role and the partitions Kafka gave it
            JsonNode busyWorker = worker(answer, busy);
            assertThat(busyWorker.get("derivedStatus").asString()).isEqualTo("BUSY");
            assertThat(busyWorker.get("currentTask").asString()).isEqualTo("task-42");
            assertThat(Instant.parse(busyWorker.get("currentTaskSince").asString()).toEpochMilli())
                    .isEqualTo(claimed.toEpochMilli());
            assertThat(busyWorker.get("tasksSucceeded").asLong()).isEqualTo(7);
            assertThat(busyWorker.get("tasksFailed").asLong()).isEqualTo(2);
            assertThat(busyWorker.get("leaderOf").get(0).asString()).isEqualTo("sources");
            assertThat(busyWorker.get("partitions").get(type).valueStream().map(JsonNode::asInt)).containsExactly(0, 1);
            assertThat(worker(answer, idle).get("inGroup").asBoolean()).isFalse();
            // And the answer states its freshness
            assertThat(answer.get("staleAfterMs").asLong()).isGreaterThanOrEqualTo(3 * INTERVAL_MS);
            assertThat(Instant.parse(answer.get("asOf").asString())).isAfterOrEqualTo(now);
            assertThat(Instant.parse(answer.get("newestHeartbeat").asString())).isAfterOrEqualTo(now.minusMillis(1));
            assertThat(answer.get("groupsReadAt").isNull()).isFalse();
        }
    }

    @Test
    void showsOneInstanceAndAnswers404ForAnUnknownOne() {
        // Given one idle instance
        String id = "one-" + UUID.randomUUID().toString().substring(0, 8);
        send(heartbeat(id, "wv-one", WorkerStatus.IDLE, Instant.now()).build());

        // When it is read alone, Then it is there
        HttpResponse<String> found = await().atMost(WAIT).until(() -> http.get("/api/workers/" + id,
                "X-API-Key", USER_KEY), response -> response.statusCode() == 200);
        assertThat(json.readTree(found.body()).get("instanceId").asString()).isEqualTo(id);
        // And an unknown one is a 404 problem
        HttpResponse<String> missing = http.get("/api/workers/nobody-" + id, "X-API-Key", USER_KEY);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("Content-Type")).hasValueSatisfying(
                value -> assertThat(value).startsWith("application/problem+json"));
    }

    @Test
    void forgetsAGoneInstanceForAnAdminAndRefusesALiveOne() {
        // Given a live and a stopped instance
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String live = "live-" + suffix;
        String gone = "gone-" + suffix;
        send(heartbeat(live, "wv-forget", WorkerStatus.IDLE, Instant.now()).build());
        send(heartbeat(gone, "wv-forget", WorkerStatus.STOPPED, Instant.now()).build());
        await().atMost(WAIT).until(() -> worker(list(USER_KEY), gone) != null && worker(list(USER_KEY), live) != null);

        // When a USER tries to forget, Then it is forbidden
        assertThat(delete(gone, USER_KEY).statusCode()).isEqualTo(403);
        // When an ADMIN forgets the live one, Then it is a conflict and it stays
        assertThat(delete(live, ADMIN_KEY).statusCode()).isEqualTo(409);
        // When an ADMIN forgets the stopped one, Then it leaves the view
        assertThat(delete(gone, ADMIN_KEY).statusCode()).isEqualTo(204);
        await().atMost(WAIT).until(() -> worker(list(USER_KEY), gone) == null);
        assertThat(worker(list(USER_KEY), live)).isNotNull();
    }

    @Test
    void theDashboardPageShowsEachWorkerWithItsBadgeHighlightsTheLostAndStatesFreshness() throws Exception {
        // Given an idle instance and one silent for 5 intervals
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String idle = "page-idle-" + suffix;
        String lost = "page-lost-" + suffix;
        send(heartbeat(idle, "wv-page", WorkerStatus.IDLE, Instant.now()).build());
        send(heartbeat(lost, "wv-page", WorkerStatus.BUSY, Instant.now().minusMillis(5 * INTERVAL_MS))
                .setCurrentTask("task-7").build());
        await().atMost(WAIT).until(() -> worker(list(USER_KEY), lost) != null && worker(list(USER_KEY), idle) != null);

        // When a signed-in user opens the Workers page
        HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        Matcher token = CSRF.matcher(page(browser, "/ui/login").body());
        assertThat(token.find()).isTrue();
        browser.send(HttpRequest.newBuilder(http.uri("/ui/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=api-key&apiKey=" + USER_KEY + "&_csrf="
                        + URLEncoder.encode(token.group(1), StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> page = page(browser, "/ui/workers");

        // Then the nav links it, each worker has its badge, the lost row is highlighted, and freshness is stated
        assertThat(page.statusCode()).isEqualTo(200);
        String html = page.body();
        assertThat(html).contains("href=\"/ui/workers\" aria-current=\"page\"");
        assertThat(row(html, idle)).contains("class=\"badge s-IDLE\"").doesNotContain("lost");
        assertThat(row(html, lost)).contains("class=\"lost\"", "class=\"badge s-LOST\"", "task-7");
        assertThat(html).containsPattern("worker instance\\(s\\) as of \\d{4}-\\d{2}-\\d{2}")
                .contains("LOST after <span>30 s</span> without a heartbeat");
    }

    private static String row(String html, String worker) {
        int start = html.lastIndexOf("<tr", html.indexOf("data-worker=\"" + worker + "\""));
        assertThat(start).as("row of %s in %s", worker, html).isNotNegative();
        return html.substring(start, html.indexOf("</tr>", start));
    }

    private HttpResponse<String> page(HttpClient browser, String path) throws Exception {
        return browser.send(HttpRequest.newBuilder(http.uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static WorkerHeartbeat.Builder heartbeat(String id, String type, WorkerStatus status, Instant at) {
        return WorkerHeartbeat.newBuilder().setInstanceId(id).setService("wv-service").setHost("host-1")
                .setTaskTypes(List.of(type)).setStatus(status).setTasksSucceeded(0).setTasksFailed(0)
                .setSessionStartedAt(at.minusSeconds(60)).setStartedAt(at.minusSeconds(60)).setHeartbeatAt(at)
                .setHeartbeatIntervalMs(INTERVAL_MS);
    }

    private void send(WorkerHeartbeat heartbeat) {
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(Topics.WORKER_HEARTBEATS.name(), heartbeat.getInstanceId(), heartbeat));
            producer.flush();
        }
    }

    private HttpResponse<String> delete(String id, String key) {
        return http.send(http.request("/api/workers/" + id, "X-API-Key", key).DELETE());
    }

    private JsonNode list(String key) {
        HttpResponse<String> response = http.get("/api/workers", "X-API-Key", key);
        return response.statusCode() == 200 ? json.readTree(response.body()) : null;
    }

    private static JsonNode worker(JsonNode answer, String id) {
        if (answer == null) {
            return null;
        }
        return answer.get("workers").valueStream().filter(w -> w.get("instanceId").asString().equals(id))
                .findFirst().orElse(null);
    }
}
