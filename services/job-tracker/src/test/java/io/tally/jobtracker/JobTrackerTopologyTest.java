package io.tally.jobtracker;

import static io.tally.events.ItemOutcome.FAILED;
import static io.tally.events.ItemOutcome.SKIPPED;
import static io.tally.events.ItemOutcome.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.topics.TopicSpec;
import io.tally.common.topics.Topics;
import io.tally.events.JobCompleted;
import io.tally.events.JobCreated;
import io.tally.events.JobStalled;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.events.StageState;
import io.tally.events.StageStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class JobTrackerTopologyTest {

    final TrackerDriver tracker = newDriver();

    /** The driver every test runs on; {@link OrdinalItemsTrackerTest} runs them all with ordinal items. */
    TrackerDriver newDriver() {
        return new TrackerDriver();
    }

    @AfterEach
    void closeDriver() {
        tracker.close();
    }

    @Nested
    class DistinctItems {

        @Test
        void countsARedeliveredItemOnce() {
            // Given a job of three items
            tracker.create("job-1", 3);
            // When every item is delivered twice
            for (String item : List.of("a", "b", "c")) {
                tracker.item("job-1", item, SUCCEEDED);
                tracker.item("job-1", item, SUCCEEDED);
            }
            // Then the job completes once, with three items counted and three duplicates seen
            List<JobCompleted> completions = tracker.completed.readValuesToList();
            assertThat(completions).singleElement().satisfies(done -> {
                assertThat(done.getState()).isEqualTo(JobState.COMPLETED);
                assertThat(done.getSucceededCount()).isEqualTo(3);
                assertThat(done.getFailedCount()).isZero();
            });
            assertThat(tracker.latestStatus("job-1").getDuplicateCount()).isEqualTo(3);
        }

        @Test
        void doesNotCompleteWhenOneItemIsDeliveredAsOftenAsTheJobHasItems() {
            // Given a job of three items
            tracker.create("job-1", 3);
            // When the same item arrives three times: a bare counter would reach 3
            tracker.item("job-1", "a", SUCCEEDED);
            tracker.item("job-1", "a", SUCCEEDED);
            tracker.item("job-1", "a", SUCCEEDED);
            // Then the job is still running with one item counted
            assertThat(tracker.completed.isEmpty()).isTrue();
            JobStatus status = tracker.latestStatus("job-1");
            assertThat(status.getState()).isEqualTo(JobState.RUNNING);
            assertThat(status.getSucceededCount()).isEqualTo(1);
        }
    }

    @Nested
    class CorrectedOutcomes {

        @Test
        void followsTheLatestOutcomeOfAnItemBeforeCompletion() {
            // Given a job of two items whose first attempt at "a" failed
            tracker.create("job-1", 2);
            tracker.item("job-1", "a", FAILED, 1);
            // When "a" succeeds on its second attempt and "b" succeeds
            tracker.item("job-1", "a", SUCCEEDED, 2);
            tracker.item("job-1", "b", SUCCEEDED, 1);
            // Then the job completes cleanly with two successes
            assertThat(tracker.completed.readValuesToList()).singleElement().satisfies(done -> {
                assertThat(done.getState()).isEqualTo(JobState.COMPLETED);
                assertThat(done.getSucceededCount()).isEqualTo(2);
                assertThat(done.getFailedCount()).isZero();
            });
        }

        @Test
        void correctsCountsAfterCompletionWithoutASecondCompletion() {
            // Given a job that completed with one failed item
            tracker.create("job-1", 2);
            tracker.item("job-1", "a", FAILED, 1);
            tracker.item("job-1", "b", SUCCEEDED, 1);
            assertThat(tracker.completed.readValuesToList()).singleElement()
                    .extracting(JobCompleted::getState).isEqualTo(JobState.COMPLETED_WITH_FAILURES);
            // When the failed item is redriven and succeeds
            tracker.item("job-1", "a", SUCCEEDED, 2);
            // Then no second completion is emitted, and the status shows the corrected counts
            assertThat(tracker.completed.isEmpty()).isTrue();
            JobStatus status = tracker.latestStatus("job-1");
            assertThat(status.getState()).isEqualTo(JobState.COMPLETED);
            assertThat(status.getSucceededCount()).isEqualTo(2);
            assertThat(status.getFailedCount()).isZero();
            assertThat(status.getCorrectionCount()).isEqualTo(1);
            assertThat(tracker.counter(TrackerMetrics.ITEMS, "result", "corrected")).isEqualTo(1.0);
        }

        @Test
        void ignoresAnOlderAttemptThatArrivesAfterANewerOne() {
            // Given a job of two items
            tracker.create("job-1", 2);
            // When attempt 2 of "a" (succeeded) overtakes attempt 1 (failed)
            tracker.item("job-1", "a", SUCCEEDED, 2);
            tracker.item("job-1", "a", FAILED, 1);
            tracker.item("job-1", "b", SUCCEEDED, 1);
            // Then the stale failure is not counted
            assertThat(tracker.completed.readValuesToList()).singleElement().satisfies(done -> {
                assertThat(done.getSucceededCount()).isEqualTo(2);
                assertThat(done.getFailedCount()).isZero();
            });
        }
    }

    @Nested
    class Lifecycle {

        @Test
        void countsItemsThatArriveBeforeTheirJob() {
            // Given two items whose job has not been created yet
            tracker.item("job-1", "a", SUCCEEDED);
            tracker.item("job-1", "b", FAILED);
            assertThat(tracker.latestStatus("job-1").getState()).isEqualTo(JobState.PENDING);
            // When the job is created with two expected items
            tracker.create("job-1", 2);
            // Then it completes at once with both items counted
            assertThat(tracker.completed.readValuesToList()).singleElement().satisfies(done -> {
                assertThat(done.getSucceededCount()).isEqualTo(1);
                assertThat(done.getFailedCount()).isEqualTo(1);
                assertThat(done.getState()).isEqualTo(JobState.COMPLETED_WITH_FAILURES);
            });
            // And the early items show in the declared counted stage
            StageStatus search = stage(tracker.latestStatus("job-1"), "search");
            assertThat(search.getDone()).isEqualTo(2);
            assertThat(search.getTotal()).isEqualTo(2L);
        }

        @Test
        void completesAnEmptyJobAtOnce() {
            // When a job with no items is created
            tracker.create("job-1", 0);
            // Then it completes immediately
            assertThat(tracker.completed.readValuesToList()).singleElement().satisfies(done -> {
                assertThat(done.getState()).isEqualTo(JobState.COMPLETED);
                assertThat(done.getExpectedCount()).isZero();
            });
        }

        @Test
        void emitsExactlyOneCompletionWithEachOutcomeCounted() {
            // Given a job of three items
            tracker.create("job-1", 3);
            // When one succeeds, one fails and one is skipped
            tracker.item("job-1", "a", SUCCEEDED);
            tracker.item("job-1", "b", FAILED);
            tracker.item("job-1", "c", SKIPPED);
            // Then exactly one completion reports the failure
            assertThat(tracker.completed.readValuesToList()).singleElement().satisfies(done -> {
                assertThat(done.getState()).isEqualTo(JobState.COMPLETED_WITH_FAILURES);
                assertThat(done.getSucceededCount()).isEqualTo(1);
                assertThat(done.getFailedCount()).isEqualTo(1);
                assertThat(done.getSkippedCount()).isEqualTo(1);
            });
            assertThat(tracker.counter(TrackerMetrics.JOBS_ENDED, "state", "COMPLETED_WITH_FAILURES")).isEqualTo(1.0);
        }

        @Test
        void countsItemsAfterCompletionAsLate() {
            // Given a completed job
            tracker.create("job-1", 1);
            tracker.item("job-1", "a", SUCCEEDED);
            assertThat(tracker.completed.readValuesToList()).hasSize(1);
            // When a new item and its redelivery arrive afterwards
            tracker.item("job-1", "z", SUCCEEDED);
            tracker.item("job-1", "z", SUCCEEDED);
            // Then there is no second completion; the item is counted once as late, outside the job's counts
            assertThat(tracker.completed.isEmpty()).isTrue();
            JobStatus status = tracker.latestStatus("job-1");
            assertThat(status.getLateCount()).isEqualTo(1);
            assertThat(status.getSucceededCount()).isEqualTo(1);
            assertThat(tracker.counter(TrackerMetrics.ITEMS, "result", "late")).isEqualTo(1.0);
        }

        @Test
        void keepsTheFirstJobCreatedWhenItIsRepeated() {
            // Given a job of two items
            tracker.create("job-1", 2);
            // When its JobCreated arrives again with another count
            tracker.create(JobCreated.newBuilder().setJobId("job-1").setPipeline("beatport-chart").setSourceRef("other")
                    .setExpectedCount(1).setCreatedAt(TrackerDriver.START).build());
            tracker.item("job-1", "a", SUCCEEDED);
            // Then the first definition holds: one item does not complete it
            assertThat(tracker.completed.isEmpty()).isTrue();
            tracker.item("job-1", "b", SUCCEEDED);
            assertThat(tracker.completed.readValuesToList()).singleElement()
                    .extracting(JobCompleted::getSourceRef).isEqualTo("beatport/2026/11/22/top100");
        }

        @Test
        void showsStagesInDeclaredOrderWithTheirReportedState() {
            // Given a running job
            tracker.create("job-1", 2);
            // When services report their stages and one item is counted
            tracker.stage("job-1", "scrape", StageState.SUCCEEDED);
            tracker.stage("job-1", "process", StageState.RUNNING);
            tracker.item("job-1", "a", SUCCEEDED);
            // Then the status lists the stages in order with their progress
            JobStatus status = tracker.latestStatus("job-1");
            assertThat(status.getStages()).extracting(StageStatus::getName)
                    .containsExactly("scrape", "process", "search", "playlist");
            assertThat(status.getStages()).extracting(StageStatus::getState)
                    .containsExactly(StageState.SUCCEEDED, StageState.RUNNING, StageState.RUNNING, StageState.PENDING);
            assertThat(stage(status, "search").getDone()).isEqualTo(1);
            assertThat(stage(status, "scrape").getEndedAt()).isNotNull();
        }
    }

    @Nested
    class Stalls {

        @Test
        void emitsOneStallWhenAJobMakesNoProgress() {
            // Given a job with one of two items done
            tracker.create("job-1", 2);
            tracker.item("job-1", "a", SUCCEEDED);
            // When nothing happens for longer than the stall timeout, and then for much longer
            tracker.advance(Duration.ofMinutes(9));
            assertThat(tracker.stalled.isEmpty()).isTrue();
            tracker.advance(Duration.ofMinutes(2));
            tracker.advance(Duration.ofHours(3));
            // Then exactly one stall is reported
            assertThat(tracker.stalled.readValuesToList()).singleElement().satisfies(stall -> {
                assertThat(stall.getProcessedCount()).isEqualTo(1);
                assertThat(stall.getExpectedCount()).isEqualTo(2);
            });
            assertThat(tracker.latestStatus("job-1").getState()).isEqualTo(JobState.STALLED);
        }

        @Test
        void stallsAgainOnlyAfterProgressResumedAndStoppedAgain() {
            // Given a stalled job of three items
            tracker.create("job-1", 3);
            tracker.advance(Duration.ofMinutes(11));
            assertThat(tracker.stalled.readValuesToList()).hasSize(1);
            // When one item arrives and then nothing for another stall timeout
            tracker.item("job-1", "a", SUCCEEDED);
            assertThat(tracker.latestStatus("job-1").getState()).isEqualTo(JobState.RUNNING);
            tracker.advance(Duration.ofMinutes(11));
            // Then a second stall is reported for the second episode
            assertThat(tracker.stalled.readValuesToList()).singleElement()
                    .extracting(JobStalled::getProcessedCount).isEqualTo(1);
        }

        @Test
        void reportsAJobWhoseJobCreatedNeverArrives() {
            // Given items of a job that was never created
            tracker.item("ghost", "a", SUCCEEDED);
            // When the stall timeout passes
            tracker.advance(Duration.ofMinutes(11));
            // Then a stall names the missing JobCreated
            assertThat(tracker.stalled.readValuesToList()).singleElement().satisfies(stall -> {
                assertThat(stall.getExpectedCount()).isNull();
                assertThat(stall.getReason()).contains("no JobCreated");
            });
        }

        @Test
        void endsAJobAsTimedOutAtItsDeadlineOnce() {
            // Given a job of five items with a deadline in two minutes, one item done
            tracker.create(JobCreated.newBuilder().setJobId("job-1").setPipeline("daily").setSourceRef("daily/2026-11-23")
                    .setExpectedCount(5).setCreatedAt(TrackerDriver.START)
                    .setDeadline(TrackerDriver.START.plus(Duration.ofMinutes(2))).build());
            tracker.item("job-1", "a", SUCCEEDED);
            // When the deadline passes, and items keep arriving later
            tracker.advance(Duration.ofMinutes(3));
            tracker.item("job-1", "b", SUCCEEDED);
            tracker.advance(Duration.ofMinutes(30));
            // Then the job ended once, as timed out, and the later item is late
            assertThat(tracker.completed.readValuesToList()).singleElement().satisfies(done -> {
                assertThat(done.getState()).isEqualTo(JobState.TIMED_OUT);
                assertThat(done.getSucceededCount()).isEqualTo(1);
            });
            assertThat(tracker.stalled.isEmpty()).isTrue();
            assertThat(tracker.latestStatus("job-1").getLateCount()).isEqualTo(1);
        }

        @Test
        void stallsAgainWhenAJobCreatedArrivesForAStalledPendingJobAndNothingFollows() {
            // Given an item whose job is not created yet, stalled while PENDING
            tracker.item("job-1", "a", SUCCEEDED);
            tracker.advance(Duration.ofMinutes(11));
            assertThat(tracker.stalled.readValuesToList()).singleElement()
                    .extracting(JobStalled::getReason).asString().contains("no JobCreated");
            // When its JobCreated arrives, and then nothing happens for longer than the stall timeout
            tracker.create("job-1", 3);
            assertThat(tracker.latestStatus("job-1").getState()).isEqualTo(JobState.RUNNING);
            assertThat(stallTimers("job-1")).as("stall timers of the running job").hasSize(1);
            tracker.advance(Duration.ofMinutes(11));
            // Then a second stall is reported, now for the created job
            assertThat(tracker.stalled.readValuesToList()).singleElement().satisfies(stall -> {
                assertThat(stall.getExpectedCount()).isEqualTo(3);
                assertThat(stall.getProcessedCount()).isEqualTo(1);
                assertThat(stall.getReason()).startsWith("no progress");
            });
            assertThat(tracker.latestStatus("job-1").getState()).isEqualTo(JobState.STALLED);
        }

        @Test
        void forgetsAStalledEarlyJobOnceItEndsAfterItsJobCreated() {
            // Given an early item, a stall while PENDING, its JobCreated and a second stall
            tracker.item("job-1", "a", SUCCEEDED);
            tracker.advance(Duration.ofMinutes(11));
            tracker.create("job-1", 2);
            tracker.advance(Duration.ofMinutes(11));
            assertThat(tracker.stalled.readValuesToList()).hasSize(2);
            // When the last item arrives, and then the retention passes
            tracker.item("job-1", "b", SUCCEEDED);
            assertThat(tracker.completed.readValuesToList()).singleElement()
                    .extracting(JobCompleted::getState).isEqualTo(JobState.COMPLETED);
            tracker.advance(TrackerDriver.CONFIG.retention().plusMinutes(1));
            // Then nothing of the job is left in any store
            assertNothingLeftInAnyStore();
        }

        @Test
        void endsAJobThatStaysStalledAsTimedOutAfterTheMaxJobAgeAndThenForgetsIt() {
            // Given an early item, a stall while PENDING, its JobCreated (no deadline of its own) and a second stall
            tracker.item("job-1", "a", SUCCEEDED);
            tracker.advance(Duration.ofMinutes(11));
            tracker.create("job-1", 2);
            tracker.advance(Duration.ofMinutes(11));
            assertThat(tracker.stalled.readValuesToList()).hasSize(2);
            // When nothing more ever arrives: first the max job age passes, then the retention
            tracker.advance(TrackerDriver.CONFIG.maxJobAge());
            // Then the job ends once, TIMED_OUT, with what it had counted
            assertThat(tracker.completed.readValuesToList()).singleElement().satisfies(done -> {
                assertThat(done.getState()).isEqualTo(JobState.TIMED_OUT);
                assertThat(done.getSucceededCount()).isEqualTo(1);
            });
            tracker.advance(TrackerDriver.CONFIG.retention().plusMinutes(1));
            // And nothing of it is left in any store, with no second end
            assertThat(tracker.completed.readValuesToList()).isEmpty();
            assertNothingLeftInAnyStore();
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(WayOutOfAStall.class)
        void stallsAgainAfterEveryKindOfProgressThatEndsAStall(WayOutOfAStall way) {
            // Given a stalled job (created, or still waiting for its JobCreated)
            if (way.created) {
                tracker.create("job-1", 3);
            }
            tracker.item("job-1", "a", FAILED, 1);
            tracker.advance(Duration.ofMinutes(11));
            assertThat(tracker.stalled.readValuesToList()).hasSize(1);
            // When the job makes progress of this kind, and then nothing for longer than the stall timeout
            way.progress.accept(tracker);
            assertThat(tracker.latestStatus("job-1").getState()).isEqualTo(way.after);
            assertThat(stallTimers("job-1")).hasSize(1);
            tracker.advance(Duration.ofMinutes(11));
            // Then a second stall is reported
            assertThat(tracker.stalled.readValuesToList()).hasSize(1);
            assertThat(tracker.latestStatus("job-1").getState()).isEqualTo(JobState.STALLED);
        }

        private List<TimerKey> stallTimers(String jobId) {
            return entries(tracker.driver.<Bytes, byte[]>getKeyValueStore(JobTrackerTopology.TIMERS_STORE)).stream()
                    .map(entry -> TimerKey.fromBytes(entry.key))
                    .filter(timer -> timer.kind() == TimerKey.Kind.STALL && timer.jobId().equals(jobId))
                    .toList();
        }
    }

    @Nested
    class BoundedState {

        @Test
        void forgetsTheDedupeStateOfAnEndedJobAfterRetention() {
            // Given a completed job of two items
            tracker.create("job-1", 2);
            tracker.item("job-1", "a", SUCCEEDED);
            tracker.item("job-1", "b", SUCCEEDED);
            // And another job whose id starts with the same characters, still running
            tracker.create("job-10", 2);
            tracker.item("job-10", "a", SUCCEEDED);
            KeyValueStore<String, JobStatus> jobs = tracker.driver.getKeyValueStore(JobTrackerTopology.JOBS_STORE);
            // When less than the retention passes, the state is still there
            tracker.advance(Duration.ofHours(23));
            assertThat(tracker.markedItems("job-1")).isEqualTo(2);
            assertThat(tracker.markedItems("job-10")).isEqualTo(1);
            // When the retention has passed
            tracker.advance(Duration.ofHours(2));
            // Then only the running job's state is left
            assertThat(jobs.get("job-1")).isNull();
            assertThat(jobs.get("job-10")).isNotNull();
            assertThat(tracker.markedItems("job-1")).isZero();
            assertThat(tracker.markedItems("job-10")).isEqualTo(1);
        }

        @Test
        void forgetsAJobThatWasNeverCreatedAfterRetention() {
            // Given an item of a job that never gets created
            tracker.item("ghost", "a", SUCCEEDED);
            // When the stall timeout and then the retention pass
            tracker.advance(Duration.ofMinutes(11));
            tracker.advance(Duration.ofDays(1));
            // Then its state is gone
            KeyValueStore<String, JobStatus> jobs = tracker.driver.getKeyValueStore(JobTrackerTopology.JOBS_STORE);
            assertThat(jobs.get("ghost")).isNull();
        }
    }

    @Nested
    class PoisonRecords {

        @Test
        void sendsBytesThatAreNotAvroToTheDeadLetterTopicAndGoesOn() {
            // Given a job of one item
            tracker.create("job-1", 1);
            // When a record that is not Avro arrives before the real item
            tracker.rawItems.pipeInput("job-1", "{\"itemId\":\"a\"}".getBytes(StandardCharsets.UTF_8));
            tracker.item("job-1", "a", SUCCEEDED);
            // Then it is dead-lettered with the reason, and the job still completes
            assertThat(reasons(Topics.ITEM_PROCESSED)).singleElement().asString().contains("magic byte");
            assertThat(tracker.completed.readValuesToList()).hasSize(1);
        }

        @Test
        void explainsAnUnknownSchemaId() {
            // When a framed record refers to a schema id the registry does not know
            tracker.rawItems.pipeInput("job-1", new byte[] {0, 0, 0, 0x7f, 0x7f, 2, 4, 6});
            // Then the dead letter says so
            assertThat(reasons(Topics.ITEM_PROCESSED)).singleElement().asString().contains("schema id 32639").contains("does not know");
        }

        @Test
        void rejectsAValidRecordOfTheWrongType() {
            // When a JobCreated is written to the item topic
            JobCreated wrong = JobCreated.newBuilder().setJobId("job-1").setPipeline("p").setSourceRef("s")
                    .setExpectedCount(1).setCreatedAt(TrackerDriver.START).build();
            byte[] bytes = tracker.serdes.serializer().serialize("tally.jobs.created", wrong);
            tracker.rawItems.pipeInput("job-1", bytes);
            // Then it is dead-lettered as the wrong type, and no job was created
            assertThat(reasons(Topics.ITEM_PROCESSED)).singleElement().asString().contains("JobCreated").contains("ItemProcessed");
            KeyValueStore<String, JobStatus> jobs = tracker.driver.getKeyValueStore(JobTrackerTopology.JOBS_STORE);
            assertThat(jobs.get("job-1")).isNull();
        }

        @Test
        void rejectsAnItemWhoseKeyIsNotItsJobId() {
            // Given a job of one item
            tracker.create("job-1", 1);
            // When an item is keyed by something other than its job id, then a good item follows
            tracker.items.pipeInput("track-42", io.tally.events.ItemProcessed.newBuilder().setJobId("job-1")
                    .setItemId("a").setOutcome(SUCCEEDED).setProcessedAt(TrackerDriver.START).build());
            tracker.item("job-1", "a", SUCCEEDED);
            // Then the mis-keyed record is dead-lettered with the reason, and the good one completes the job
            assertThat(reasons(Topics.ITEM_PROCESSED)).singleElement().asString().contains("key 'track-42'").contains("jobId 'job-1'");
            assertThat(tracker.completed.readValuesToList()).singleElement()
                    .extracting(JobCompleted::getSucceededCount).isEqualTo(1);
        }

        @Test
        void rejectsAJobWithANegativeCount() {
            // When a job claims a negative number of items
            tracker.create(JobCreated.newBuilder().setJobId("job-1").setPipeline("p").setSourceRef("s")
                    .setExpectedCount(-1).setCreatedAt(TrackerDriver.START).build());
            // Then it is dead-lettered, not completed
            assertThat(reasons(Topics.JOB_CREATED)).singleElement().asString().contains("negative expectedCount");
            assertThat(tracker.completed.isEmpty()).isTrue();
        }

        /** The reasons of the dead letters written so far, each of which must name {@code source} as its origin. */
        private List<String> reasons(TopicSpec<?> source) {
            List<TestRecord<String, byte[]>> records = tracker.deadLetters.readRecordsToList();
            assertThat(records).extracting(record -> DeadLetterHeaders.originalTopic(record.headers()))
                    .as("original topics of the dead letters").containsOnly(source.name());
            return records.stream().map(record -> String.valueOf(DeadLetterHeaders.reason(record.headers()))).toList();
        }
    }

    /**
     * The events that count as progress for a stalled job: whether the job was created before it stalled, and the
     * state the progress leads to.
     */
    enum WayOutOfAStall {
        NEW_ITEM_OF_A_CREATED_JOB(true, JobState.RUNNING, t -> t.item("job-1", "b", SUCCEEDED)),
        CORRECTED_ITEM_OF_A_CREATED_JOB(true, JobState.RUNNING, t -> t.item("job-1", "a", SUCCEEDED, 2)),
        STAGE_REPORT_OF_A_CREATED_JOB(true, JobState.RUNNING, t -> t.stage("job-1", "scrape", StageState.RUNNING)),
        NEW_ITEM_OF_A_PENDING_JOB(false, JobState.PENDING, t -> t.item("job-1", "b", SUCCEEDED)),
        STAGE_REPORT_OF_A_PENDING_JOB(false, JobState.PENDING, t -> t.stage("job-1", "scrape", StageState.RUNNING)),
        JOB_CREATED_OF_A_PENDING_JOB(false, JobState.RUNNING, t -> t.create("job-1", 3));

        final boolean created;
        final JobState after;
        final Consumer<TrackerDriver> progress;

        WayOutOfAStall(boolean created, JobState after, Consumer<TrackerDriver> progress) {
            this.created = created;
            this.after = after;
            this.progress = progress;
        }
    }

    private static StageStatus stage(JobStatus status, String name) {
        return status.getStages().stream().filter(stage -> stage.getName().equals(name)).findFirst().orElseThrow();
    }

    private void assertNothingLeftInAnyStore() {
        for (String store : List.of(JobTrackerTopology.JOBS_STORE, JobTrackerTopology.ITEMS_STORE,
                JobTrackerTopology.ORDINALS_STORE, JobTrackerTopology.TIMERS_STORE)) {
            assertThat(entries(tracker.driver.getKeyValueStore(store))).as(store).isEmpty();
        }
    }

    private static <K, V> List<KeyValue<K, V>> entries(KeyValueStore<K, V> store) {
        List<KeyValue<K, V>> entries = new ArrayList<>();
        try (var iterator = store.all()) {
            iterator.forEachRemaining(entries::add);
        }
        return entries;
    }
}
