package io.tally.notification;

import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tally.common.topics.Topics;
import io.tally.events.ChartTrack;
import io.tally.events.ItemOutcome;
import io.tally.events.NotificationRequested;
import io.tally.events.NotificationSent;
import io.tally.events.StageReported;
import io.tally.events.TaskResult;
import io.tally.events.TrackResolution;
import io.tally.events.tasks.NotifyJobInput;
import io.tally.events.tasks.NotifyJobOutput;
import io.tally.events.tasks.SearchTrackOutput;
import io.tally.notification.channels.OutboxChannel;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.TallyServiceTest;
import io.tally.testsupport.TaskRequests;
import io.tally.testsupport.TempDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The notification service as a worker of the {@code notify-job} task, beside its topology, on the real broker and
 * registry with exactly_once_v2 and the offline outbox channel in a temporary folder: requests as the engine sends
 * them, TaskResults on {@code tally.tasks.results}, and the intents delivered by the service's delivery consumer.
 */
@TallyServiceTest(properties = {
        "tally.notify.retry.initial-backoff=50ms"})
class NotifyJobWorkerIntegrationTest {

    private static final String TYPE = NotifyJobHandler.TASK_TYPE;
    private static final Path OUTBOX = TempDirs.create("tally-notify-tasks-it");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry properties) {
        properties.add("tally.notify.outbox-dir", OUTBOX::toString);
    }

    @Autowired
    KafkaTestClient kafka;

    @Autowired
    TaskRequests tasks;

    @Test
    void writesTheJobsSummaryForTheChannelsAndAnswersWithItsNotificationId() throws Exception {
        // Given a notify task of a job whose two searches both answered, one track found
        String job = TaskRequests.newJob();
        NotifyJobInput input = input(job, List.of(track("t1"), track("t2")),
                List.of(result("t1", TrackResolution.FOUND), result("t2", TrackResolution.NOT_FOUND)));

        // When the engine sends it
        String taskId = tasks.send(TYPE, job, "notify", null, 1, input);

        // Then one SUCCEEDED result answers with the job's completed notification
        List<ConsumerRecord<String, TaskResult>> results = tasks.results(job, 1);
        assertThat(results).singleElement().satisfies(record -> {
            assertThat(record.value().getTaskId()).isEqualTo(taskId);
            assertThat(record.value().getTaskType()).isEqualTo(TYPE);
            assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED);
        });
        NotifyJobOutput output = tasks.output(results.get(0).value(), NotifyJobOutput.class);
        assertThat(output.getNotificationId()).isEqualTo("completed:" + job);
        assertThat(output.getKind()).isEqualTo("completed");
        // And its intent, keyed by the notification id, was delivered to the outbox with the summary
        assertThat(intents(output.getNotificationId(), 1)).singleElement()
                .satisfies(intent -> assertThat(intent.getJobId()).isEqualTo(job));
        assertThat(sent(output.getNotificationId(), 1)).hasSize(1);
        assertThat(Files.readString(outboxFile(output.getNotificationId())))
                .contains("Job " + job + " completed.")
                .contains("Searches: 2 new tracks, 1 found, 1 not found, 0 failed")
                .contains("Playlist: file:///playlists/" + job + ".m3u");
        // And no notify stage is reported for it: the engine learns the stage's end from the result
        assertThat(kafka.await(Topics.STAGE_REPORTED.name(), StageReported.class, KafkaTestClient.withKey(job), 0,
                WAIT)).isEmpty();
    }

    @Test
    void writesOneOutboxFileForARedeliveredNotifyOfAJobWithFailedSearches() throws Exception {
        // Given the same notify task (same task id) delivered twice, of a job whose third search never answered
        String job = TaskRequests.newJob();
        NotifyJobInput input = input(job, List.of(track("t1"), track("t2"), track("t3")),
                List.of(result("t1", TrackResolution.FOUND), result("t2", TrackResolution.FOUND)));
        String taskId = tasks.send(TYPE, job, "notify", null, 1, input);
        tasks.send(TYPE, job, "notify", null, 1, input);

        // When both have been answered and their intents delivered
        List<ConsumerRecord<String, TaskResult>> results = tasks.results(job, 2);
        String notificationId = "failed:" + job;
        assertThat(sent(notificationId, 2)).hasSize(2);

        // Then both results answer the one task with the same notification, which names the failed search
        assertThat(results).hasSize(2).allSatisfy(record -> {
            assertThat(record.value().getTaskId()).isEqualTo(taskId);
            assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED);
            assertThat(tasks.output(record.value(), NotifyJobOutput.class).getNotificationId()).isEqualTo(notificationId);
        });
        assertThat(intents(notificationId, 2)).hasSize(2);
        // And the outbox, whose file is named by the notification id, holds it once
        try (Stream<Path> files = Files.list(OUTBOX)) {
            assertThat(files.map(file -> file.getFileName().toString())
                    .filter(name -> name.startsWith("failed_" + job) || name.endsWith(".tmp")))
                    .containsExactly(outboxFile(notificationId).getFileName().toString());
        }
        assertThat(Files.readString(outboxFile(notificationId))).contains("completed with 1 failed item(s)").contains(" - t3: ");
    }

    private static NotifyJobInput input(String job, List<ChartTrack> searched, List<SearchTrackOutput> results) {
        return NotifyJobInput.newBuilder().setJobId(job).setPipeline("beatport-chart")
                .setSourceRef("beatport/it/" + job).setPlaylistTitle("Beatport Top 100 — 2026-11-22")
                .setPlaylistUrl("file:///playlists/" + job + ".m3u").setPlaylistCreated(true).setEntryCount(1)
                .setSkippedCount(1).setSearched(searched).setResults(results).build();
    }

    private static ChartTrack track(String key) {
        return ChartTrack.newBuilder().setPosition(Integer.parseInt(key.substring(1))).setTrackKey(key)
                .setArtists(List.of("Artist " + key)).setTitle("Title " + key).build();
    }

    private static SearchTrackOutput result(String key, TrackResolution resolution) {
        return SearchTrackOutput.newBuilder().setTrackKey(key).setResolution(resolution)
                .setVideoId(resolution == TrackResolution.FOUND ? "video-" + key : null).build();
    }

    private List<NotificationRequested> intents(String notificationId, int expected) {
        return kafka.await(Topics.NOTIFICATIONS_REQUESTED.name(), NotificationRequested.class,
                KafkaTestClient.withKey(notificationId), expected, WAIT).stream().map(ConsumerRecord::value).toList();
    }

    private List<NotificationSent> sent(String notificationId, int expected) {
        return kafka.await(Topics.NOTIFICATIONS_SENT.name(), NotificationSent.class,
                KafkaTestClient.withKey(notificationId + ":outbox"), expected, WAIT).stream().map(ConsumerRecord::value).toList();
    }

    private static Path outboxFile(String notificationId) {
        Path file = new OutboxChannel(OUTBOX).fileOf(notificationId);
        await("the outbox file").atMost(WAIT).until(() -> Files.exists(file));
        return file;
    }

}
