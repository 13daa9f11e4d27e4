package io.tally.jobsapi;

import static io.tally.jobsapi.JobsApiTest.USER_KEY;
import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.JobState;
import io.tally.events.TaskError;
import io.tally.events.TaskResult;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.ServiceHttp;
import java.time.Instant;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Seed 002's task rows on the API: an engine job's items come from its task results, each naming the worker that ran
 * its latest attempt, when that worker claimed it, and the attempt. The test plays the engine and the workers.
 */
@JobsApiTest
class EngineItemsIntegrationTest {

    @Autowired
    JsonMapper json;

    @Autowired
    ServiceHttp http;

    @Autowired
    KafkaTestClient kafka;

    @Test
    void anEngineJobsItemsNameTheWorkerClaimTimeAndAttemptOfTheLatestAttemptEvenWhenAnOlderOneArrivesLate()
            throws Exception {
        // Given an engine job whose fan-out element failed on worker a, then succeeded on worker b
        String jobId = "items-" + UUID.randomUUID();
        new PipelineFixtures(kafka).publish(PipelineFixtures.engineJob(jobId, "media-sources", 1, JobState.RUNNING));
        Instant claimed = Instant.parse("2026-12-03T08:00:00Z");
        send(result(jobId, "process", "vid-1", 1, ItemOutcome.FAILED, "worker-a", claimed));
        send(result(jobId, "process", "vid-1", 2, ItemOutcome.SUCCEEDED, "worker-b", claimed.plusSeconds(5)));
        send(result(jobId, "extract", null, 1, ItemOutcome.SUCCEEDED, "worker-a", claimed.minusSeconds(9)));
        // and the first attempt's result is delivered again, late
        send(result(jobId, "process", "vid-1", 1, ItemOutcome.FAILED, "worker-a", claimed));

        // When its items are read
        JsonNode items = await().atMost(WAIT).until(() -> json.readTree(
                        http.get("/api/jobs/" + jobId + "/items", "X-API-Key", USER_KEY).body()),
                answer -> answer.path("items").size() == 2 && answer.path("items").get(1).path("attempt").asInt() == 2);

        // Then each task is an item, the element's latest attempt with the worker that ran it and its claim time
        assertThat(items.path("items").get(0).path("itemId").asString()).isEqualTo("extract");
        JsonNode element = items.path("items").get(1);
        assertThat(element.path("itemId").asString()).isEqualTo("process/vid-1");
        assertThat(element.path("outcome").asString()).isEqualTo("SUCCEEDED");
        assertThat(element.path("worker").asString()).isEqualTo("worker-b");
        assertThat(Instant.parse(element.path("claimedAt").asString())).isEqualTo(claimed.plusSeconds(5));
    }

    private void send(TaskResult result) throws Exception {
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(Topics.TASK_RESULTS.name(), result.getJobId(), result)).get();
        }
    }

    private static TaskResult result(String jobId, String stage, String item, int attempt, ItemOutcome outcome,
                                     String worker, Instant startedAt) {
        String subject = jobId + "/" + stage + (item == null ? "" : "/" + item);
        return TaskResult.newBuilder().setTaskId(subject + "#" + attempt).setJobId(jobId).setStage(stage)
                .setItemId(item).setAttempt(attempt).setTaskType(stage + "-task").setOutcome(outcome)
                .setError(outcome == ItemOutcome.FAILED
                        ? TaskError.newBuilder().setCode("video-unavailable").setMessage("private").setRetryable(true)
                                .build() : null)
                .setWorker(worker).setStartedAt(startedAt).setEndedAt(startedAt.plusSeconds(1)).build();
    }
}
