package io.tally.localruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.topics.Topics;
import io.tally.events.ItemProcessed;
import io.tally.events.JobCompleted;
import io.tally.localruntime.TrackerWorkload.Expected;
import io.tally.localruntime.TrackerWorkload.ItemIds;
import io.tally.localruntime.TrackerWorkload.Send;
import io.tally.localruntime.TrackerWorkload.Shape;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TrackerWorkloadTest {

    private static final int JOBS = 10;
    private static final int ITEMS = 40;

    private final TrackerWorkload bench = new TrackerWorkload(Shape.bench(JOBS, ITEMS, ItemIds.KEYED), 7L);

    @Test
    void sendsEveryItemOnceWithFivePercentRedeliveriesAndSomeBeforeTheJobCreated() {
        // Given the benchmark's shape
        List<Send> sends = bench.sends();

        // When the sends are counted per kind
        long created = sends.stream().filter(Send::isJobCreated).count();
        long items = sends.size() - created;
        long distinct = sends.stream().filter(send -> !send.isJobCreated()).map(TrackerWorkloadTest::itemKey)
                .distinct().count();
        List<String> firstJobTopics = sends.stream().filter(send -> send.key().equals(bench.jobId(0)))
                .map(Send::topic).toList();

        // Then every item is there once, plus 2 redeliveries per job, and 4 of the first job's items precede its job
        assertThat(created).isEqualTo(JOBS);
        assertThat(distinct).isEqualTo((long) JOBS * ITEMS);
        assertThat(items).isEqualTo((long) JOBS * (ITEMS + 2));
        assertThat(bench.duplicates()).isEqualTo(JOBS * 2);
        assertThat(firstJobTopics.indexOf(Topics.JOB_CREATED.name())).isEqualTo(4);
    }

    @Test
    void sendsRedeliveriesThatEqualTheItemsEarlierRecord() {
        // Given the benchmark's shape, whose redeliveries are among the items
        Map<String, List<ItemProcessed>> byItem = bench.sends().stream().filter(send -> !send.isJobCreated())
                .collect(Collectors.groupingBy(TrackerWorkloadTest::itemKey, Collectors.mapping(
                        send -> (ItemProcessed) send.value(), Collectors.toList())));

        // When the items sent more than once are picked
        List<List<ItemProcessed>> redelivered = byItem.values().stream().filter(records -> records.size() > 1).toList();

        // Then each copy is the same record, so the tracker must count it once, not as a correction
        assertThat(redelivered).isNotEmpty().allSatisfy(records -> assertThat(records).containsOnly(records.get(0)));
    }

    @Test
    void sendsRetriesOutOfOrderAndRedeliveriesLateInTheFaultShape() {
        // Given the fault suite's shape
        TrackerWorkload faults = new TrackerWorkload(Shape.faults("f-", 3, 20), 1L);
        List<Send> sends = faults.sends();

        // When the job's retries and the tail of the sends are read
        Map<String, List<Integer>> attempts = sends.stream().filter(send -> !send.isJobCreated())
                .collect(Collectors.groupingBy(TrackerWorkloadTest::itemKey, Collectors.mapping(
                        send -> ((ItemProcessed) send.value()).getAttempt(), Collectors.toList())));
        List<Send> tail = sends.subList(sends.size() - faults.duplicates(), sends.size());

        // Then some item's attempt 2 comes before its attempt 1, and the redeliveries are all at the end
        assertThat(faults.reorderings()).isPositive();
        assertThat(attempts.values()).anySatisfy(list -> assertThat(list).startsWith(2, 1));
        assertThat(tail).noneMatch(Send::isJobCreated);
        assertThat(faults.expected()).allSatisfy(job -> {
            // Failures are drawn at random and win over the every-fifth skip
            assertThat(job.failed()).isEqualTo(2);
            assertThat(job.skipped()).isBetween(2, 4);
            assertThat(job.succeeded() + job.failed() + job.skipped()).isEqualTo(20);
        });
    }

    @Test
    void numbersTheItemsOfEveryOtherJobInTheFaultShapeAndKeepsTheNumberOnEveryCopy() {
        // Given the fault suite's shape, which mixes both kinds of item ids
        TrackerWorkload faults = new TrackerWorkload(Shape.faults("f-", 4, 20), 3L);

        // When the ordinals sent for each job's items are collected
        Map<String, List<Integer>> ordinalsByItem = faults.sends().stream().filter(send -> !send.isJobCreated())
                .collect(Collectors.groupingBy(TrackerWorkloadTest::itemKey, Collectors.mapping(
                        send -> ((ItemProcessed) send.value()).getOrdinal(), Collectors.toList())));

        // Then jobs 0 and 2 number their items 0..19 on every record of an item, jobs 1 and 3 never do
        for (int job = 0; job < 4; job++) {
            String prefix = faults.jobId(job) + "/item-";
            boolean numbered = job % 2 == 0;
            assertThat(ordinalsByItem).hasEntrySatisfying(prefix + 7, ordinals -> assertThat(ordinals)
                    .containsOnly(numbered ? 7 : null));
            assertThat(ordinalsByItem.entrySet()).filteredOn(entry -> entry.getKey().startsWith(prefix)).hasSize(20)
                    .allSatisfy(entry -> assertThat(entry.getValue()).containsOnly(numbered
                            ? Integer.valueOf(entry.getKey().substring(prefix.length())) : null));
        }
    }

    @Test
    void acceptsExactlyOneCorrectCompletionPerJob() {
        // Given one correct completion per job
        List<JobCompleted> completions = correctCompletions();

        // When / Then
        assertThat(bench.verify(completions)).isEmpty();
    }

    @Test
    void rejectsADoubledALostAndAMiscountedJob() {
        // Given one doubled, one lost and one miscounted completion
        List<JobCompleted> completions = correctCompletions();
        completions.add(JobCompleted.newBuilder(completions.get(0)).build());
        completions.remove(1);
        completions.set(2, JobCompleted.newBuilder(completions.get(2)).setSucceededCount(ITEMS).setFailedCount(0).build());

        // When
        List<String> problems = bench.verify(completions);

        // Then each is named
        assertThat(problems).hasSize(3)
                .anySatisfy(p -> assertThat(p).contains(bench.jobId(0)).contains("2 times"))
                .anySatisfy(p -> assertThat(p).contains("1 of 10 jobs never completed"))
                .anySatisfy(p -> assertThat(p).contains("succeeded"));
    }

    private static String itemKey(Send send) {
        ItemProcessed item = (ItemProcessed) send.value();
        return item.getJobId() + "/" + item.getItemId();
    }

    private List<JobCompleted> correctCompletions() {
        List<JobCompleted> completions = new ArrayList<>();
        for (Expected job : bench.expected()) {
            completions.add(JobCompleted.newBuilder().setJobId(job.jobId()).setPipeline("bench")
                    .setSourceRef(job.sourceRef()).setState(job.state()).setExpectedCount(job.expectedCount())
                    .setSucceededCount(job.succeeded()).setFailedCount(job.failed()).setSkippedCount(job.skipped())
                    .setCreatedAt(Instant.EPOCH).setCompletedAt(Instant.EPOCH).build());
        }
        return completions;
    }
}
