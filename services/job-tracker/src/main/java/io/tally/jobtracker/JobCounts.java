package io.tally.jobtracker;

import io.tally.events.ItemOutcome;
import io.tally.events.JobStatus;

/** A job's item counts by outcome, as the tracker and the stage engine both keep them in its {@link JobStatus}. */
public final class JobCounts {

    private JobCounts() {
    }

    /** Adds {@code delta} (1, or -1 for a corrected outcome) to the count of {@code outcome}. */
    public static void add(JobStatus job, ItemOutcome outcome, int delta) {
        switch (outcome) {
            case SUCCEEDED -> job.setSucceededCount(job.getSucceededCount() + delta);
            case FAILED -> job.setFailedCount(job.getFailedCount() + delta);
            case SKIPPED -> job.setSkippedCount(job.getSkippedCount() + delta);
        }
    }
}
