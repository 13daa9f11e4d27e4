package io.tally.jobsapi;

import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tally.common.tasks.TaskHeaders;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.ServiceHttp;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code downstreamWorkers} health component on the embedded broker: a task type of a published pipeline with a
 * consumer group member on its topic has a reader, one without has none and makes the component DEGRADED, which keeps
 * {@code /actuator/health} at HTTP 200 and leaves readiness alone; a worker that leaves is seen (after the cache ttl).
 */
@JobsApiTest
class DownstreamHealthIntegrationTest {

    @Autowired
    JsonMapper json;

    @Autowired
    ServiceHttp http;

    @Autowired
    KafkaTestClient kafka;

    @Test
    void reportsWhichTaskTypesOfPublishedPipelinesHaveAWorkerAndDegradesWithoutFailingReadiness() throws Exception {
        // Given a published pipeline of two task types, and a worker (a consumer group member) for the first only
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String served = "hc-served-" + suffix;
        String orphan = "hc-orphan-" + suffix;
        String name = PipelineFixtures.uniqueName("health");
        new PipelineFixtures(kafka).publish("""
                name: %s
                version: 1
                stages:
                  - {id: first, task: %s}
                  - {id: second, task: %s, dependsOn: [first]}
                """.formatted(name, served, orphan));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TaskHeaders.requestTopic(served), 1, (short) 1),
                    new NewTopic(TaskHeaders.requestTopic(orphan), 1, (short) 1))).all().get();
        }
        try (KafkaConsumer<byte[], byte[]> worker = WorkerGroupMember.join(kafka, "tally-worker-" + served, null,
                TaskHeaders.requestTopic(served))) {

            // When the health is read
            JsonNode component = await().atMost(WAIT).until(() -> component(),
                    found -> found != null && found.path("details").path("taskTypes").has(orphan)
                            && found.path("details").path("taskTypes").path(served).path("readers").asInt() >= 1);

            // Then the served type has its reader, the orphan none, and the component is DEGRADED naming it
            assertThat(component.get("status").asString()).isEqualTo("DEGRADED");
            JsonNode orphanType = component.get("details").get("taskTypes").get(orphan);
            assertThat(orphanType.get("readers").asInt()).isZero();
            assertThat(orphanType.get("topic").asString()).isEqualTo("tally.tasks." + orphan);
            assertThat(orphanType.get("pipelines").get(0).asString()).isEqualTo(name);
            assertThat(component.get("details").get("withoutWorkers").valueStream().map(JsonNode::asString))
                    .contains(orphan).doesNotContain(served);
            // And the overall health still answers 200 while readiness stays UP
            HttpResponse<String> health = http.get("/actuator/health");
            assertThat(health.statusCode()).isEqualTo(200);
            HttpResponse<String> readiness = http.get("/actuator/health/readiness");
            assertThat(readiness.statusCode()).isEqualTo(200);
            assertThat(json.readTree(readiness.body()).get("components").has("downstreamWorkers")).isFalse();
        }

        // When the worker leaves, Then its task type has no reader any more
        await().atMost(WAIT).until(() -> component().path("details").path("taskTypes").path(served).path("readers")
                .asInt(), readers -> readers == 0);
    }

    private JsonNode component() {
        HttpResponse<String> health = http.get("/actuator/health");
        return json.readTree(health.body()).path("components").get("downstreamWorkers");
    }
}
