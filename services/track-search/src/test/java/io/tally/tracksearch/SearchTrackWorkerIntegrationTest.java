package io.tally.tracksearch;

import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.jobs.TrackKeys;
import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.TaskResult;
import io.tally.events.TrackResolution;
import io.tally.events.TrackResolved;
import io.tally.events.tasks.SearchTrackInput;
import io.tally.events.tasks.SearchTrackOutput;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.ServiceHttp;
import io.tally.testsupport.TallyServiceTest;
import io.tally.testsupport.TaskRequests;
import io.tally.worker.TaskListener;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The service as the worker of the {@code search-track} task with the offline adapter, on a real KRaft broker (in-JVM)
 * and a real Apicurio registry process: requests as the engine sends them, TaskResults on {@code tally.tasks.results},
 * the tracks table, the task type's own dead-letter topic, redeliveries, poison and the actuator endpoints. Worker
 * retries are the SDK's defaults (3 deliveries, 1 s then 2 s).
 */
@TallyServiceTest(properties = {
        "tally.search.offline.not-found=Unreleased Dub",
        "tally.search.offline.failing=Broken Record"})
class SearchTrackWorkerIntegrationTest {

    private static final String TYPE = SearchTrackHandler.TASK_TYPE;

    @Autowired
    KafkaTestClient kafka;

    @Autowired
    TaskRequests tasks;

    @Autowired
    ServiceHttp http;

    @Test
    void answersASearchWithItsVideoAfterWritingTheTracksRow() {
        // Given a search task for a track the offline catalog knows
        String job = TaskRequests.newJob();
        SearchTrackInput input = input(List.of("Bicep"), "Glue", "Original Mix");

        // When the engine sends it
        String taskId = tasks.send(TYPE, job, "search", input.getTrackKey(), 1, input);

        // Then one SUCCEEDED result answers it with the video
        List<ConsumerRecord<String, TaskResult>> results = tasks.results(job, 1);
        assertThat(results).singleElement().satisfies(record -> {
            assertThat(record.value().getTaskId()).isEqualTo(taskId);
            assertThat(record.value().getTaskType()).isEqualTo(TYPE);
            assertThat(record.value().getItemId()).isEqualTo(input.getTrackKey());
            assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED);
        });
        SearchTrackOutput output = tasks.output(results.get(0).value(), SearchTrackOutput.class);
        assertThat(output.getTrackKey()).isEqualTo(input.getTrackKey());
        assertThat(output.getResolution()).isEqualTo(TrackResolution.FOUND);
        assertThat(output.getVideoId()).matches("[A-Za-z0-9_-]{11}");
        assertThat(output.getVideoTitle()).isEqualTo("Bicep - Glue (Original Mix)");
        // And the tracks table got the same video, written before the result
        List<ConsumerRecord<String, TrackResolved>> rows = kafka.await(Topics.TRACKS.name(), TrackResolved.class,
                KafkaTestClient.withKey(input.getTrackKey()), 1, WAIT);
        assertThat(rows).singleElement().satisfies(row -> {
            assertThat(row.value().getResolution()).isEqualTo(TrackResolution.FOUND);
            assertThat(row.value().getVideoId()).isEqualTo(output.getVideoId());
            assertThat(row.timestamp()).isLessThanOrEqualTo(results.get(0).timestamp());
        });
    }

    @Test
    void deadLettersASearchThatKeepsFailingToTheTaskTypesTopicAndAnswersFailed() {
        // Given a search task for a title whose search fails (retryably) on every delivery
        String job = TaskRequests.newJob();
        SearchTrackInput input = input(List.of("Overmono"), "Broken Record", "Extended");

        // When the engine sends it and the worker's retries are spent
        String taskId = tasks.send(TYPE, job, "search", input.getTrackKey(), 1, input);

        // Then the engine gets one FAILED result, retryable by its own policy, with the adapter's reason
        assertThat(tasks.results(job, 1)).singleElement().satisfies(record -> {
            assertThat(record.value().getTaskId()).isEqualTo(taskId);
            assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.FAILED);
            assertThat(record.value().getError().getCode()).isEqualTo(TaskListener.RETRIES_EXHAUSTED);
            assertThat(record.value().getError().getMessage()).contains("configured to fail");
            assertThat(record.value().getError().getRetryable()).isTrue();
            assertThat(record.value().getOutput()).isNull();
        });
        // And the request is in tally.dlt.tasks.search-track with its reason
        ConsumerRecord<String, byte[]> deadLetter = kafka.awaitFirstRaw(TaskHeaders.deadLetterTopic(TYPE), job, WAIT);
        assertThat(DeadLetterHeaders.reason(deadLetter.headers())).contains("configured to fail");
        assertThat(DeadLetterHeaders.originalTopic(deadLetter.headers())).isEqualTo(TaskHeaders.requestTopic(TYPE));
    }

    @Test
    void answersNotFoundWithoutAVideoAndRecordsItInTheTracksTable() {
        // Given a search task for a title the offline catalog is configured not to find
        String job = TaskRequests.newJob();
        SearchTrackInput input = input(List.of("Floating Points"), "Unreleased Dub", null);

        // When the engine sends it
        tasks.send(TYPE, job, "search", input.getTrackKey(), 1, input);

        // Then it is answered SUCCEEDED with NOT_FOUND and no video, and the tracks table says NOT_FOUND
        List<ConsumerRecord<String, TaskResult>> results = tasks.results(job, 1);
        assertThat(results).singleElement()
                .satisfies(record -> assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED));
        SearchTrackOutput output = tasks.output(results.get(0).value(), SearchTrackOutput.class);
        assertThat(output.getResolution()).isEqualTo(TrackResolution.NOT_FOUND);
        assertThat(output.getVideoId()).isNull();
        assertThat(kafka.await(Topics.TRACKS.name(), TrackResolved.class, KafkaTestClient.withKey(input.getTrackKey()), 1, WAIT))
                .singleElement().satisfies(row -> {
                    assertThat(row.value().getResolution()).isEqualTo(TrackResolution.NOT_FOUND);
                    assertThat(row.value().getVideoId()).isNull();
                });
    }

    @Test
    void answersARedeliveredSearchWithTheSameVideo() {
        // Given a search task answered once
        String job = TaskRequests.newJob();
        SearchTrackInput input = input(List.of("Fred again..", "Skrillex"), "Rumble", null);
        String taskId = tasks.send(TYPE, job, "search", input.getTrackKey(), 1, input);
        assertThat(tasks.results(job, 1)).hasSize(1);

        // When the same task (same task id) is delivered again
        tasks.send(TYPE, job, "search", input.getTrackKey(), 1, input);

        // Then both deliveries are answered SUCCEEDED with the same video, and both rows of the table agree
        List<ConsumerRecord<String, TaskResult>> results = tasks.results(job, 2);
        assertThat(results).hasSize(2).allSatisfy(record -> {
            assertThat(record.value().getTaskId()).isEqualTo(taskId);
            assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED);
        });
        SearchTrackOutput first = tasks.output(results.get(0).value(), SearchTrackOutput.class);
        assertThat(tasks.output(results.get(1).value(), SearchTrackOutput.class)).isEqualTo(first);
        assertThat(first.getVideoTitle()).isEqualTo("Fred again.., Skrillex - Rumble");
        assertThat(kafka.await(Topics.TRACKS.name(), TrackResolved.class, KafkaTestClient.withKey(input.getTrackKey()), 2, WAIT))
                .hasSize(2).extracting(row -> row.value().getVideoId()).containsOnly(first.getVideoId());
    }

    @Test
    void deadLettersARequestThatIsNotAvroAtOnceWithItsReasonAndGoesOn() throws Exception {
        // Given a request with the task envelope whose value is not a framed Avro record, and a good one after it
        String poisonJob = TaskRequests.newJob();
        String job = TaskRequests.newJob();
        SearchTrackInput good = input(List.of("Jamie xx"), "Gosh", null);
        Instant now = Instant.now();
        try (KafkaProducer<String, byte[]> raw = kafka.rawProducer()) {
            // When both are sent, the poison first
            raw.send(new ProducerRecord<>(TaskHeaders.requestTopic(TYPE), null, poisonJob,
                    "not avro".getBytes(StandardCharsets.UTF_8), TaskHeaders.requestHeaders(TYPE, poisonJob, "search",
                    "poison", 1, "tally/pipelines/test/1", now, now.plus(Duration.ofMinutes(5))))).get();
        }
        tasks.send(TYPE, job, "search", good.getTrackKey(), 1, good);

        // Then the poison is dead-lettered, not retried, with its bytes and the reason
        // (no FAILED result: the SDK's dead-letter listener cannot read the value either; the stage timeout ends it)
        ConsumerRecord<String, byte[]> deadLetter = kafka.awaitFirstRaw(TaskHeaders.deadLetterTopic(TYPE), poisonJob, WAIT);
        assertThat(new String(deadLetter.value(), StandardCharsets.UTF_8)).isEqualTo("not avro");
        assertThat(DeadLetterHeaders.reason(deadLetter.headers())).contains("magic byte");
        assertThat(DeadLetterHeaders.originalTopic(deadLetter.headers())).isEqualTo(TaskHeaders.requestTopic(TYPE));
        // And the worker goes on with the next request
        assertThat(tasks.results(job, 1)).singleElement()
                .satisfies(record -> assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED));
    }

    @Test
    void exposesSearchMetricsAndProbes() throws Exception {
        // Given one answered search
        String job = TaskRequests.newJob();
        SearchTrackInput input = input(List.of("Four Tet"), "Baby", null);
        tasks.send(TYPE, job, "search", input.getTrackKey(), 1, input);
        assertThat(tasks.results(job, 1)).hasSize(1);
        // When the actuator endpoints are read
        HttpResponse<String> prometheus = http.get("/actuator/prometheus");
        HttpResponse<String> readiness = http.get("/actuator/health/readiness");
        // Then the search counters and timer are exported with their tags, and the service is ready
        assertThat(prometheus.body())
                .containsPattern("tally_search_requests_total\\{.*adapter=\"offline-catalog\".*result=\"found\".*} [1-9]")
                .contains("tally_search_latency_seconds_count");
        assertThat(readiness.statusCode()).isEqualTo(200);
    }

    private static SearchTrackInput input(List<String> artists, String title, String mix) {
        // A fresh key per run: the embedded broker keeps the tracks table for the whole context.
        return SearchTrackInput.newBuilder().setTrackKey(TrackKeys.of(artists, title + " " + UUID.randomUUID(), mix))
                .setArtists(artists).setTitle(title).setMix(mix).build();
    }
}
