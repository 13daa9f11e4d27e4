package io.tally.faults;

import io.tally.events.ItemOutcome;
import io.tally.events.ItemProcessed;
import io.tally.events.JobCreated;
import io.tally.events.JobState;
import io.tally.faults.ExactlyOnceChecker.JobExpectation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;

/**
 * K jobs of N items for the job tracker, as the records to send in order: jobs interleaved, some items before their
 * {@code JobCreated}, every third item sent twice (the copy much later), and some retries reordered (attempt 2
 * SUCCEEDED before attempt 1 FAILED), with the outcome each job must end with.
 */
final class TrackerWorkload {

    /** One record to send: topic, key, value. */
    record Send(String topic, String key, SpecificRecord value) {
    }

    final List<Send> sends = new ArrayList<>();
    final List<JobExpectation> expectations = new ArrayList<>();
    int duplicates;
    int reorderings;

    TrackerWorkload(String prefix, int jobs, int items, long seed) {
        Random random = new Random(seed);
        Instant now = Instant.now();
        List<List<Send>> perJob = new ArrayList<>();
        List<Send> lateCopies = new ArrayList<>();
        for (int j = 0; j < jobs; j++) {
            String jobId = prefix + j;
            List<Send> own = new ArrayList<>();
            int succeeded = 0;
            int failed = 0;
            int skipped = 0;
            for (int i = 0; i < items; i++) {
                String itemId = "item-" + i;
                ItemOutcome outcome = i % 7 == 3 ? ItemOutcome.FAILED : i % 5 == 4 ? ItemOutcome.SKIPPED
                        : ItemOutcome.SUCCEEDED;
                switch (outcome) {
                    case FAILED -> failed++;
                    case SKIPPED -> skipped++;
                    default -> succeeded++;
                }
                if (outcome == ItemOutcome.SUCCEEDED && i % 4 == 1) {
                    // The retry overtakes the failed first attempt; the tracker keeps the higher attempt.
                    own.add(item(jobId, itemId, ItemOutcome.SUCCEEDED, 2, now));
                    own.add(item(jobId, itemId, ItemOutcome.FAILED, 1, now));
                    reorderings++;
                } else {
                    own.add(item(jobId, itemId, outcome, 1, now));
                }
                if (i % 3 == 0) {
                    lateCopies.add(item(jobId, itemId, outcome, 1, now));
                    duplicates++;
                }
            }
            Send created = new Send(io.tally.common.topics.Topics.JOB_CREATED.name(), jobId, JobCreated.newBuilder()
                    .setJobId(jobId).setPipeline("faults").setSourceRef("faults/" + jobId).setExpectedCount(items)
                    .setCreatedAt(now).build());
            // Every second job's JobCreated comes after some of its items: early items must wait, not be lost.
            own.add(j % 2 == 0 ? 0 : random.nextInt(own.size() + 1), created);
            perJob.add(own);
            JobState state = failed > 0 ? JobState.COMPLETED_WITH_FAILURES : JobState.COMPLETED;
            expectations.add(new JobExpectation(jobId, "faults/" + jobId, state, items, succeeded, failed, skipped,
                    false, false));
        }
        // Round robin over the jobs, so every job is in flight at the same time.
        int longest = perJob.stream().mapToInt(List::size).max().orElse(0);
        for (int i = 0; i < longest; i++) {
            for (List<Send> own : perJob) {
                if (i < own.size()) {
                    sends.add(own.get(i));
                }
            }
        }
        java.util.Collections.shuffle(lateCopies, random);
        sends.addAll(lateCopies);
    }

    private static Send item(String jobId, String itemId, ItemOutcome outcome, int attempt, Instant now) {
        return new Send(io.tally.common.topics.Topics.ITEM_PROCESSED.name(), jobId, ItemProcessed.newBuilder()
                .setJobId(jobId).setItemId(itemId).setOutcome(outcome).setAttempt(attempt)
                .setError(outcome == ItemOutcome.FAILED ? "injected failure" : null).setProcessedAt(now).build());
    }
}
