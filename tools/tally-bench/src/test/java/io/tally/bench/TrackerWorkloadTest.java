package io.tally.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.ItemProcessed;
import io.tally.events.JobCompleted;
import io.tally.events.JobState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The bench's input shape and its verdict: a lost, doubled or miscounted job must fail the run. */
class TrackerWorkloadTest {

    private static final int JOBS = 10;
    private static final int ITEMS = 40;

    private final TrackerWorkload workload = new TrackerWorkload(JOBS, ITEMS, 7L);

    @Test
    void producesEveryItemOnceWithFivePercentRedeliveriesAndSomeBeforeTheJobCreated() {
        // Given
        List<TrackerWorkload.Event> events = workload.events();

        // When
        long created = events.stream().filter(e -> e.topic().equals(Topics.JOB_CREATED.name())).count();
        long items = events.size() - created;
        long distinct = events.stream().filter(e -> e.value() instanceof ItemProcessed)
                .map(e -> ((ItemProcessed) e.value()).getJobId() + "/" + ((ItemProcessed) e.value()).getItemId())
                .distinct().count();
        String firstJob = TrackerWorkload.jobId(0);
        List<String> firstJobTopics = events.stream().filter(e -> e.jobId().equals(firstJob))
                .map(TrackerWorkload.Event::topic).toList();

        // Then
        assertThat(created).isEqualTo(JOBS);
        assertThat(distinct).isEqualTo((long) JOBS * ITEMS);
        assertThat(items).isEqualTo((long) JOBS * (ITEMS + 2));
        assertThat(firstJobTopics.indexOf(Topics.JOB_CREATED.name())).isEqualTo(4);
    }

    @Test
    void acceptsExactlyOneCorrectCompletionPerJob() {
        // Given
        List<JobCompleted> completions = correctCompletions();

        // When / Then
        assertThat(workload.verify(completions)).isEmpty();
    }

    @Test
    void rejectsADoubledALostAndAMiscountedJob() {
        // Given
        List<JobCompleted> completions = correctCompletions();
        completions.add(JobCompleted.newBuilder(completions.get(0)).build());
        completions.remove(1);
        completions.set(2, JobCompleted.newBuilder(completions.get(2)).setSucceededCount(ITEMS).setFailedCount(0).build());

        // When
        List<String> problems = workload.verify(completions);

        // Then
        assertThat(problems).hasSize(3)
                .anySatisfy(p -> assertThat(p).contains(TrackerWorkload.jobId(0)).contains("2 times"))
                .anySatisfy(p -> assertThat(p).contains("1 of 10 jobs never completed"))
                .anySatisfy(p -> assertThat(p).contains("succeeded"));
    }

    private static List<JobCompleted> correctCompletions() {
        int failed = ITEMS / TrackerWorkload.FAIL_EVERY;
        List<JobCompleted> completions = new ArrayList<>();
        IntStream.range(0, JOBS).forEach(j -> completions.add(JobCompleted.newBuilder()
                .setJobId(TrackerWorkload.jobId(j))
                .setPipeline("bench")
                .setSourceRef("bench/" + TrackerWorkload.jobId(j))
                .setState(JobState.COMPLETED_WITH_FAILURES)
                .setExpectedCount(ITEMS)
                .setSucceededCount(ITEMS - failed)
                .setFailedCount(failed)
                .setSkippedCount(0)
                .setCreatedAt(Instant.EPOCH)
                .setCompletedAt(Instant.EPOCH)
                .build()));
        return completions;
    }
}
