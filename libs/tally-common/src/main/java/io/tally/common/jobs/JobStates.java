package io.tally.common.jobs;

import io.tally.events.JobState;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/** Which job states are ended: one definition for the tracker, the services that act on an ended job, the API and the CLI. */
public final class JobStates {

    /** The states a job ends in; it never leaves them. */
    public static final Set<JobState> ENDED = Collections.unmodifiableSet(
            EnumSet.of(JobState.COMPLETED, JobState.COMPLETED_WITH_FAILURES, JobState.FAILED, JobState.TIMED_OUT,
                    JobState.CANCELLED));

    private JobStates() {
    }

    public static boolean isEnded(JobState state) {
        return ENDED.contains(state);
    }

    /** For clients that read the state as text, such as the CLI over JSON; unknown names are not ended. */
    public static boolean isEnded(String state) {
        return ENDED.stream().anyMatch(ended -> ended.name().equals(state));
    }
}
