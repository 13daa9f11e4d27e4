package io.tally.jobsapi.view;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.events.JobState;
import io.tally.events.JobStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The list index: order, filters, paging, moves and removals, redelivered statuses, and a page out of 100,000 jobs. */
class JobIndexTest {

    private static final Logger log = LoggerFactory.getLogger(JobIndexTest.class);
    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    @Test
    void pagesNewestFirstWithFiltersAndTotals() {
        // Given five jobs of two pipelines, one still without its JobCreated (ordered by when it was first seen)
        JobIndex index = new JobIndex();
        index.update("a", status("a", "charts", JobState.COMPLETED, T0.plusSeconds(1), T0.plusSeconds(1)));
        index.update("b", status("b", "charts", JobState.RUNNING, T0.plusSeconds(2), T0.plusSeconds(2)));
        index.update("c", status("c", "report", JobState.RUNNING, T0.plusSeconds(3), T0.plusSeconds(3)));
        index.update("d", status("d", null, JobState.PENDING, null, T0.plusSeconds(4)));
        index.update("e", status("e", "charts", JobState.RUNNING, T0.plusSeconds(5), T0.plusSeconds(5)));

        // When pages are asked for, Then they are newest first, filtered, and count every match
        assertThat(index.page(null, null, 0, 2)).isEqualTo(new JobIndex.Page(List.of("e", "d"), 5));
        assertThat(index.page(null, null, 2, 2)).isEqualTo(new JobIndex.Page(List.of("a"), 5));
        assertThat(index.page(JobState.RUNNING, "charts", 0, 10)).isEqualTo(new JobIndex.Page(List.of("e", "b"), 2));
        assertThat(index.page(JobState.TIMED_OUT, null, 0, 10)).isEqualTo(new JobIndex.Page(List.of(), 0));
        assertThat(index.page(null, null, 9, 10).jobIds()).isEmpty();
    }

    @Test
    void aJobMovesWhenItsCreationArrivesAndLeavesOnATombstoneAndARedeliveryChangesNothing() {
        // Given a job first seen late, and an older one
        JobIndex index = new JobIndex();
        index.update("old", status("old", "charts", JobState.RUNNING, T0, T0));
        index.update("late", status("late", null, JobState.PENDING, null, T0.plusSeconds(60)));
        List<String> told = new ArrayList<>();
        index.addListener(status -> told.add(status.getJobId()));

        // When its JobCreated shows it was created before the other, and that status is redelivered
        JobStatus created = status("late", "charts", JobState.RUNNING, T0.minusSeconds(60), T0.plusSeconds(60));
        index.update("late", created);
        index.update("late", created);

        // Then it moved behind the older job, exactly once in the index, and listeners heard both records
        assertThat(index.page(null, null, 0, 10).jobIds()).containsExactly("old", "late");
        assertThat(index.size()).isEqualTo(2);
        assertThat(told).containsExactly("late", "late");

        // When it is tombstoned, Then it is gone
        index.update("late", null);
        assertThat(index.page(null, null, 0, 10)).isEqualTo(new JobIndex.Page(List.of("old"), 1));
    }

    @Test
    void pagesThroughOneHundredThousandJobs() {
        // Given 100,000 jobs, a quarter of them running
        JobIndex index = new JobIndex();
        int jobs = 100_000;
        for (int i = 0; i < jobs; i++) {
            String id = String.format("job-%06d", i);
            index.load(id, status(id, "charts", i % 4 == 0 ? JobState.RUNNING : JobState.COMPLETED,
                    T0.plusSeconds(i), T0.plusSeconds(i)));
        }

        // When a deep page of running jobs is read (warm-up first, as a server would be)
        for (int i = 0; i < 20; i++) {
            index.page(JobState.RUNNING, "charts", 500, 20);
        }
        long started = System.nanoTime();
        int rounds = 50;
        JobIndex.Page page = null;
        for (int i = 0; i < rounds; i++) {
            page = index.page(JobState.RUNNING, "charts", 500, 20);
        }
        double millis = (System.nanoTime() - started) / 1e6 / rounds;
        log.info("JobIndex: one filtered page out of {} jobs took {} ms on average", jobs, String.format("%.2f", millis));

        // Then the page holds the right jobs (newest first: ids count down in steps of 4) and the total is exact
        assertThat(page.total()).isEqualTo(jobs / 4);
        assertThat(page.jobIds()).hasSize(20);
        assertThat(page.jobIds().get(0)).isEqualTo(String.format("job-%06d", jobs - 4 - 500 * 20 * 4));
        assertThat(page.jobIds().get(1)).isEqualTo(String.format("job-%06d", jobs - 8 - 500 * 20 * 4));
    }

    private static JobStatus status(String jobId, String pipeline, JobState state, Instant createdAt, Instant seen) {
        return JobStatus.newBuilder().setJobId(jobId).setPipeline(pipeline).setState(state).setExpectedCount(1)
                .setSucceededCount(0).setFailedCount(0).setSkippedCount(0).setCreatedAt(createdAt).setFirstSeenAt(seen)
                .setLastProgressAt(seen).setUpdatedAt(seen).build();
    }
}
