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
import io.tally.testsupport.TallyServiceTest;
import io.tally.testsupport.TaskRequests;
import io.tally.worker.TaskListener;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The service as a worker of the {@code search-track} task, beside its legacy listener, on the real broker and registry
 * (the same properties as {@link TrackSearchIntegrationTest}, so both share one context): requests as the engine sends
 * them, TaskResults on {@code tally.tasks.results}, the task type's own dead-letter topic. Worker retries are the SDK's
 * defaults (3 deliveries, 1 s then 2 s).
 */
@TallyServiceTest(properties = {
        "tally.search.retry.attempts=3",
        "tally.search.retry.initial-delay=100ms",
        "tally.search.retry.multiplier=2",
        "tally.search.retry.max-delay=300ms",
        "tally.search.offline.not-found=Unreleased Dub",
        "tally.search.offline.failing=Broken Record"})
class SearchTrackWorkerIntegrationTest {

    private static final String TYPE = SearchTrackHandler.TASK_TYPE;

    @Autowired
    KafkaTestClient kafka;

    @Autowired
    TaskRequests tasks;

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
        // And the request is in tally.dlt.tasks.search-track with its reason, not in the legacy listener's DLT
        ConsumerRecord<String, byte[]> deadLetter = kafka.awaitFirstRaw(TaskHeaders.deadLetterTopic(TYPE), job, WAIT);
        assertThat(DeadLetterHeaders.reason(deadLetter.headers())).contains("configured to fail");
        assertThat(DeadLetterHeaders.originalTopic(deadLetter.headers())).isEqualTo(TaskHeaders.requestTopic(TYPE));
        assertThat(kafka.awaitRaw(Topics.TRACK_SEARCH_DLT.name(), KafkaTestClient.withKey(job), 1, Duration.ofSeconds(2)))
                .isEmpty();
    }

    private static SearchTrackInput input(List<String> artists, String title, String mix) {
        // A fresh key per run: the embedded broker keeps the tracks table for the whole context.
        return SearchTrackInput.newBuilder().setTrackKey(TrackKeys.of(artists, title + " " + UUID.randomUUID(), mix))
                .setArtists(artists).setTitle(title).setMix(mix).build();
    }
}
