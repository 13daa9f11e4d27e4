package io.tally.notification;

import static io.tally.notification.NotifyDriver.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.jobs.NotificationKind;
import io.tally.common.jobs.Stages;
import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.events.StageState;
import io.tally.events.StageStatus;
import io.tally.notification.channels.Notification;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NotificationTopologyTest {

    private static final String LINK = "https://www.youtube.com/playlist?list=PL123";

    private NotifyDriver notify = new NotifyDriver();

    @AfterEach
    void close() {
        notify.close();
    }

    /** A job the stage engine ran (it has a pipeline version), ended in {@code state} with {@code stages}. */
    private static JobStatus engineJob(String jobId, JobState state, StageStatus... stages) {
        JobStatus job = job(jobId, state, 0, null, null);
        job.setPipelineVersion(1);
        job.setStages(List.of(stages));
        return job;
    }

    private static StageStatus stage(String name, StageState state, String detail) {
        return StageStatus.newBuilder().setName(name).setState(state).setDone(0).setDetail(detail).build();
    }

    @Test
    void keepsEveryDeliveredChannelOfTheSentTopicForTheDeliveryConsumerAndForgetsATombstonedOne() {
        // Given the sent records of two channels, one unreadable as Avro (only keys are kept), then a tombstone
        TestInputTopic<String, byte[]> sent = notify.sentTopic();
        sent.pipeInput("completed:job-1:email", "avro bytes".getBytes(StandardCharsets.UTF_8), Instant.ofEpochMilli(1_000));
        sent.pipeInput("completed:job-1:webhook", "not avro".getBytes(StandardCharsets.UTF_8), Instant.ofEpochMilli(2_000));
        sent.pipeInput("completed:job-1:webhook", (byte[]) null);

        // When the delivery consumer's table is read
        KeyValueStore<String, Long> delivered = notify.driver.getKeyValueStore(NotificationTopology.DELIVERED_STORE);

        // Then the email is there with its time, the tombstoned webhook is not, and no intent was written
        assertThat(delivered.get("completed:job-1:email")).isEqualTo(1_000L);
        assertThat(delivered.get("completed:job-1:webhook")).isNull();
        assertThat(notify.intents()).isEmpty();
    }

    @Test
    void sendsOneSummaryWithCountsDurationAndPlaylistLinkWhenAJobCompletes() {
        // Given a chart job whose playlist stage has succeeded
        // When its COMPLETED status arrives
        notify.send(job("job-1", JobState.COMPLETED, 0, StageState.SUCCEEDED, LINK));
        // Then one message carries the counts, the duration and the link
        assertThat(notify.notifications()).singleElement().satisfies(message -> {
            assertThat(message.id()).isEqualTo("completed:job-1");
            assertThat(message.subject()).contains("beatport-chart").contains("job-1");
            assertThat(message.body()).contains("9 expected, 9 succeeded, 0 failed, 0 skipped")
                    .contains("Duration: 5m 3s").contains(LINK).contains("beatport/2026/11/22/top100");
            // The intent carries the fields as JSON, so a small number comes back as an int
            assertThat(message.fields()).containsEntry("playlistUrl", LINK).containsEntry("durationSeconds", 303);
        });
        // And one delivery intent keyed by notification id, which asks for the notify stage report after delivery
        assertThat(notify.intents()).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo("completed:job-1");
            assertThat(record.value().getKind()).isEqualTo("completed");
            assertThat(record.value().getJobId()).isEqualTo("job-1");
            assertThat(record.value().getReportsStage()).isTrue();
        });
        assertThat(notify.meters.get(NotifyMetrics.REQUESTED).tag("kind", "completed").counter().count()).isEqualTo(1.0);
    }

    @Test
    void sendsOnlyOnceWhenTheCompletedStatusIsRedeliveredAndUpdated() {
        // Given a completed job that was notified
        notify.send(job("job-2", JobState.COMPLETED, 0, StageState.SUCCEEDED, LINK));
        // When the same status is redelivered and later updates (the notify stage report echoed back) arrive
        notify.send(job("job-2", JobState.COMPLETED, 0, StageState.SUCCEEDED, LINK));
        for (int i = 0; i < 5; i++) {
            notify.send(job("job-2", JobState.COMPLETED, 0, StageState.SUCCEEDED, LINK));
        }
        // Then there is still one delivery intent, and the repeats are counted
        assertThat(notify.intents()).hasSize(1);
        assertThat(notify.counter(NotifyMetrics.DUPLICATES)).isEqualTo(6.0);
    }

    @Test
    void ignoresStatusesOfJobsThatHaveNotEnded() {
        // When running and stalled statuses arrive many times
        notify.send(job("job-3", JobState.RUNNING, 0, StageState.PENDING, null));
        notify.send(job("job-3", JobState.STALLED, 0, StageState.PENDING, null));
        notify.advance(Duration.ofMinutes(5));
        // Then nothing is sent
        assertThat(notify.notifications()).isEmpty();
        assertThat(notify.intents()).isEmpty();
    }

    @Test
    void waitsForThePlaylistStageToEndBeforeNotifyingAChartJob() {
        // Given a completed chart job whose playlist stage is still running
        notify.send(job("job-4", JobState.COMPLETED, 0, StageState.RUNNING, null));
        notify.advance(Duration.ofSeconds(30));
        // Then nothing is sent yet
        assertThat(notify.notifications()).isEmpty();
        // When the status shows the playlist stage succeeded
        notify.send(job("job-4", JobState.COMPLETED, 0, StageState.SUCCEEDED, LINK));
        // Then one message with the link is sent, and passing the wait later sends nothing more
        assertThat(notify.notifications()).singleElement().satisfies(message -> assertThat(message.body()).contains(LINK));
        notify.advance(NotifyDriver.PLAYLIST_WAIT.plusMinutes(1));
        assertThat(notify.notifications()).hasSize(1);
    }

    @Test
    void sendsWithoutTheLinkWhenThePlaylistStageDoesNotEndWithinTheWait() {
        // Given a completed chart job whose playlist stage is pending
        notify.send(job("job-5", JobState.COMPLETED, 0, StageState.PENDING, null));
        notify.advance(NotifyDriver.PLAYLIST_WAIT.minusSeconds(10));
        assertThat(notify.notifications()).isEmpty();
        // When the wait passes by wall clock
        notify.advance(Duration.ofSeconds(15));
        // Then the summary goes out without a link, once, even when the playlist status arrives afterwards
        assertThat(notify.notifications()).singleElement().satisfies(message -> {
            assertThat(message.body()).contains("Playlist: not ready after 2m 0s").doesNotContain("https://");
            assertThat(message.fields()).doesNotContainKey("playlistUrl");
        });
        notify.send(job("job-5", JobState.COMPLETED, 0, StageState.SUCCEEDED, LINK));
        notify.advance(NotifyDriver.PLAYLIST_WAIT.plusMinutes(1));
        assertThat(notify.notifications()).hasSize(1);
    }

    @Test
    void notifiesAJobWithoutPlaylistStageAtOnce() {
        // When a job of a pipeline without playlist stage completes
        notify.send(job("job-6", JobState.COMPLETED, 0, null, null));
        // Then it is notified at once
        assertThat(notify.notifications()).singleElement()
                .satisfies(message -> assertThat(message.body()).doesNotContain("Playlist:"));
    }

    @Test
    void listsTheFailedItemsWithTheirErrorsWhenAJobCompletesWithFailures() {
        // Given two items that failed, one of them redelivered
        notify.item("job-7", "track-3", ItemOutcome.FAILED, 1, "no YouTube match for 'Artist - Title'");
        notify.item("job-7", "track-3", ItemOutcome.FAILED, 1, "no YouTube match for 'Artist - Title'");
        notify.item("job-7", "track-8", ItemOutcome.FAILED, 2, "quota exceeded");
        notify.item("job-7", "track-1", ItemOutcome.SUCCEEDED, 1, null);
        // When the job completes with failures
        notify.send(job("job-7", JobState.COMPLETED_WITH_FAILURES, 2, StageState.SUCCEEDED, LINK));
        // Then the failure message lists each failed item once with its error
        Notification message = notify.notifications().get(0);
        assertThat(notify.notifications()).hasSize(1);
        assertThat(message.id()).isEqualTo("failed:job-7");
        assertThat(message.body()).contains("completed with 2 failed item(s)")
                .contains("track-3: no YouTube match for 'Artist - Title' (attempt 1)")
                .contains("track-8: quota exceeded (attempt 2)")
                .doesNotContain("track-1").contains(LINK);
        assertThat((List<?>) message.fields().get("failedItems")).hasSize(2);
    }

    @Test
    void doesNotListAnItemThatSucceededAfterARedrive() {
        // Given an item that failed and then succeeded on a later attempt, and one that still failed
        notify.item("job-8", "track-3", ItemOutcome.FAILED, 1, "timeout");
        notify.item("job-8", "track-4", ItemOutcome.FAILED, 1, "not found");
        notify.item("job-8", "track-3", ItemOutcome.SUCCEEDED, 2, null);
        // When the job completes with failures
        notify.send(job("job-8", JobState.COMPLETED_WITH_FAILURES, 1, StageState.SUCCEEDED, LINK));
        // Then only the item that still failed is listed
        assertThat(notify.notifications()).singleElement().satisfies(message ->
                assertThat(message.body()).contains("track-4: not found").doesNotContain("track-3"));
    }

    @Test
    void notifiesATimedOutJobAtOnceEvenWhileItsPlaylistStageIsPending() {
        // When a job times out
        notify.send(job("job-9", JobState.TIMED_OUT, 0, StageState.PENDING, null));
        notify.send(job("job-9", JobState.TIMED_OUT, 0, StageState.PENDING, null));
        // Then one timed-out message is sent
        assertThat(notify.notifications()).singleElement().satisfies(message -> {
            assertThat(message.id()).isEqualTo("timed-out:job-9");
            assertThat(message.body()).contains("timed out");
        });
    }

    @Test
    void namesTheStageAndErrorThatFailedAnEngineJobOnceAndReportsNoNotifyStage() {
        // Given an engine job whose search stage failed it while the playlist stage had not started
        JobStatus failed = engineJob("job-20", JobState.FAILED,
                stage(Stages.SEARCH, StageState.FAILED, "quota-exceeded: YouTube quota exceeded"),
                stage(Stages.PLAYLIST, StageState.SKIPPED, null),
                stage("archive", StageState.FAILED, Stages.stoppedByJobEnd(JobState.FAILED)));

        // When its FAILED status arrives twice
        notify.send(failed);
        notify.send(failed);

        // Then one failed message names the stage and its error, not the stage stopped by the end
        assertThat(notify.notifications()).singleElement().satisfies(message -> {
            assertThat(message.id()).isEqualTo("failed:job-20");
            assertThat(message.subject()).contains("failed").doesNotContain("completed");
            assertThat(message.body()).contains("Failed stage: search: quota-exceeded: YouTube quota exceeded")
                    .doesNotContain("archive");
            assertThat(message.fields()).containsEntry("failedStage", "search")
                    .containsEntry("error", "quota-exceeded: YouTube quota exceeded");
        });
        // And its delivery reports no notify stage: the engine owns the job's stages
        assertThat(notify.intents()).singleElement().satisfies(record ->
                assertThat(record.value().getReportsStage()).isFalse());
    }

    @Test
    void notifiesACancelledEngineJobButLeavesItsSuccessToThePipeline() {
        // Given engine jobs that were cancelled, completed, and completed with failed items
        notify.send(engineJob("job-21", JobState.CANCELLED, stage(Stages.SEARCH, StageState.FAILED,
                Stages.stoppedByJobEnd(JobState.CANCELLED))));
        notify.send(engineJob("job-22", JobState.COMPLETED, stage(Stages.SEARCH, StageState.SUCCEEDED, null)));
        notify.send(engineJob("job-23", JobState.COMPLETED_WITH_FAILURES,
                stage(Stages.SEARCH, StageState.SUCCEEDED, "1 of 10 items failed")));

        // Then only the cancelled one is told, as cancelled
        assertThat(notify.notifications()).singleElement().satisfies(message -> {
            assertThat(message.id()).isEqualTo("cancelled:job-21");
            assertThat(message.subject()).contains("was cancelled");
        });
    }

    @Test
    void notifiesOncePerStall() {
        // Given two different stalls of one job, the first redelivered
        Instant first = NotifyDriver.START.plusSeconds(600);
        Instant second = NotifyDriver.START.plusSeconds(1800);
        notify.stall("job-10", first);
        notify.stall("job-10", first);
        notify.stall("job-10", second);
        // Then each stall is notified once, with its reason
        assertThat(notify.notifications()).extracting(Notification::id)
                .containsExactly("stalled:job-10:" + first.toEpochMilli(), "stalled:job-10:" + second.toEpochMilli());
        assertThat(notify.notifications().get(0).body()).contains("no progress for 10m").contains("3 of 10 processed");
        assertThat(notify.intents()).allSatisfy(record -> assertThat(record.value().getReportsStage()).isFalse());
    }

    @Test
    void notifiesOnceAboutEachDeadLetterWithItsReasonButNotAboutItsOwnDeadLetters() {
        // Given a dead letter written by Kafka Streams in the tracker's DLT
        RecordHeaders headers = new RecordHeaders();
        headers.add(DeadLetterHeaders.STREAMS_MESSAGE, "Value on tally.jobs.items does not start with magic byte".getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.STREAMS_TOPIC, Topics.ITEM_PROCESSED.name().getBytes(StandardCharsets.UTF_8));
        // When it arrives
        notify.deadLetterTopic(Topics.JOB_TRACKER_DLT.name())
                .pipeInput(new TestRecord<>("job-11", "not avro".getBytes(StandardCharsets.UTF_8), headers, NotifyDriver.START));
        // Then one message names the topic, reason, original topic and key; the own DLT is not even a source
        assertThatThrownBy(() -> notify.deadLetterTopic(Topics.NOTIFICATION_SERVICE_DLT.name())
                .pipeInput("job-12", "x".getBytes(StandardCharsets.UTF_8))).hasMessageContaining("Unknown topic");
        assertThat(NotificationTopology.watchedDeadLetters()).hasSize(Topics.DEAD_LETTERS.size() - 1)
                .doesNotContain(Topics.NOTIFICATION_SERVICE_DLT);
        assertThat(notify.notifications()).singleElement().satisfies(message -> {
            assertThat(message.id()).isEqualTo("dead-letter:" + Topics.JOB_TRACKER_DLT.name() + ":0:0");
            assertThat(message.body()).contains(Topics.JOB_TRACKER_DLT.name()).contains("magic byte")
                    .contains("Original topic: " + Topics.ITEM_PROCESSED.name()).contains("Key: job-11");
        });
        assertThat(notify.intents()).singleElement()
                .satisfies(record -> assertThat(record.value().getJobId()).isNull());
    }

    @Test
    void notifiesAboutADeadLetterOfATaskTypeThatNoCatalogueNames() {
        // Given a task type's dead letter, written by its worker after the last retry
        RecordHeaders headers = new RecordHeaders();
        headers.add(DeadLetterHeaders.TALLY_REASON, "search failed 4 times: YouTube answered 503".getBytes(StandardCharsets.UTF_8));
        // When it arrives on tally.dlt.tasks.search-track, a topic that came with a pipeline
        notify.deadLetterTopic("tally.dlt.tasks.search-track")
                .pipeInput(new TestRecord<>("job-16", "request".getBytes(StandardCharsets.UTF_8), headers, NotifyDriver.START));
        // Then it is notified like a catalogue dead letter, naming the topic and the reason
        assertThat(notify.notifications()).singleElement().satisfies(message -> {
            assertThat(message.id()).isEqualTo("dead-letter:tally.dlt.tasks.search-track:0:0");
            assertThat(message.body()).contains("tally.dlt.tasks.search-track").contains("YouTube answered 503");
        });
    }

    @Test
    void sendsNothingForKindsThatAreNotEnabled() {
        // Given a service that notifies only completed jobs
        notify.close();
        notify = new NotifyDriver(EnumSet.of(NotificationKind.COMPLETED));
        // When a stall and a failed job arrive
        notify.stall("job-13", NotifyDriver.START);
        notify.send(job("job-13", JobState.COMPLETED_WITH_FAILURES, 1, null, null));
        // Then nothing is sent
        assertThat(notify.notifications()).isEmpty();
    }

    @Test
    void deadLettersPoisonInputWithAReasonAndGoesOn() {
        // When a status that is not Avro arrives, then one keyed by another job, then a good one
        notify.rawStatus.pipeInput("job-14", "not avro".getBytes(StandardCharsets.UTF_8));
        notify.status.pipeInput("job-other", job("job-14", JobState.COMPLETED, 0, null, null));
        notify.send(job("job-15", JobState.COMPLETED, 0, null, null));
        // Then both bad records are in the DLT with a reason, and the good one is notified
        List<TestRecord<String, byte[]>> dead = notify.deadLetters.readRecordsToList();
        assertThat(dead).hasSize(2);
        assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("not avro");
        assertThat(DeadLetterHeaders.reason(dead.get(0).headers())).contains("not a readable JobStatus").contains("magic byte");
        assertThat(DeadLetterHeaders.reason(dead.get(1).headers())).contains("key 'job-other' but jobId 'job-14'");
        assertThat(notify.notifications()).extracting(Notification::id).containsExactly("completed:job-15");
    }
}
