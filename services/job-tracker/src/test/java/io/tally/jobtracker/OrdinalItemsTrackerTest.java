package io.tally.jobtracker;

import static io.tally.events.ItemOutcome.FAILED;
import static io.tally.events.ItemOutcome.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.errors.DeadLetterHeaders;
import io.tally.events.ItemProcessed;
import io.tally.events.JobCompleted;
import io.tally.events.JobState;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Every tracker test again with each item sent with its ordinal, so the dedupe marks live in one record per job
 * (ADR 0023), plus what only ordinal items have: the limit, the one record per job, a bad ordinal.
 */
class OrdinalItemsTrackerTest extends JobTrackerTopologyTest {

    @Override
    TrackerDriver newDriver() {
        return new TrackerDriver(TrackerDriver.CONFIG, true);
    }

    @Nested
    class MarksPerJob {

        @Test
        void keepsTheMarksOfEachJobInOneRecord() {
            // Given two jobs of 300 items whose items arrive before their JobCreated, redelivered once each
            for (int i = 0; i < 300; i++) {
                for (String job : List.of("job-1", "job-2")) {
                    tracker.item(job, "item-" + i, i % 7 == 0 ? FAILED : SUCCEEDED);
                    tracker.item(job, "item-" + i, i % 7 == 0 ? FAILED : SUCCEEDED);
                }
            }
            // When the jobs are created
            tracker.create("job-1", 300);
            tracker.create("job-2", 300);
            // Then each completes once with its counts, from one marks record per job and no per-item record
            assertThat(tracker.completed.readValuesToList()).hasSize(2).allSatisfy(done -> {
                assertThat(done.getSucceededCount()).isEqualTo(257);
                assertThat(done.getFailedCount()).isEqualTo(43);
            });
            assertThat(count(tracker.driver.<String, OrdinalMarks>getKeyValueStore(JobTrackerTopology.ORDINALS_STORE)))
                    .isEqualTo(2);
            assertThat(count(tracker.driver.<Bytes, ItemMark>getKeyValueStore(JobTrackerTopology.ITEMS_STORE))).isZero();
        }

        @Test
        void keepsItemsAtOrAboveTheOrdinalLimitOnePerItemAndStillCountsThemOnce() {
            // Given a tracker whose ordinal limit is 2, and a job of four items
            TrackerProperties c = TrackerDriver.CONFIG;
            try (TrackerDriver small = new TrackerDriver(new TrackerProperties(c.stallTimeout(), c.retention(),
                    c.maxJobAge(), c.timerInterval(), c.statusInterval(), c.maxTimersPerTick(), c.taskTimeout(), 2),
                    true)) {
                small.create("job-1", 4);
                // When each item is delivered twice
                for (String item : List.of("a", "b", "c", "d", "a", "b", "c", "d")) {
                    small.item("job-1", item, SUCCEEDED);
                }
                // Then the job completes once with four items; ordinals 2 and 3 were marked one record each
                assertThat(small.completed.readValuesToList()).singleElement()
                        .extracting(JobCompleted::getSucceededCount).isEqualTo(4);
                assertThat(small.markedItems("job-1")).isEqualTo(4);
                assertThat(count(small.driver.<Bytes, ItemMark>getKeyValueStore(JobTrackerTopology.ITEMS_STORE)))
                        .isEqualTo(2);
            }
        }

        @Test
        void sendsANegativeOrdinalToTheDeadLetterTopicAndGoesOn() {
            // Given a job of one item
            tracker.create("job-1", 1);
            // When an item claims ordinal -1, then the real item follows
            tracker.items.pipeInput("job-1", ItemProcessed.newBuilder().setJobId("job-1").setItemId("a")
                    .setOutcome(SUCCEEDED).setOrdinal(-1).setProcessedAt(TrackerDriver.START).build());
            tracker.item("job-1", "a", SUCCEEDED);
            // Then the bad one is dead-lettered with the reason, and the job completes with one item
            assertThat(tracker.deadLetters.readRecordsToList()).singleElement()
                    .satisfies(letter -> assertThat(String.valueOf(DeadLetterHeaders.reason(letter.headers())))
                            .contains("ordinal -1"));
            assertThat(tracker.completed.readValuesToList()).singleElement().satisfies(done -> {
                assertThat(done.getState()).isEqualTo(JobState.COMPLETED);
                assertThat(done.getSucceededCount()).isEqualTo(1);
            });
        }
    }

    private static <K, V> int count(KeyValueStore<K, V> store) {
        List<K> keys = new ArrayList<>();
        try (var iterator = store.all()) {
            iterator.forEachRemaining(entry -> keys.add(entry.key));
        }
        return keys.size();
    }
}
