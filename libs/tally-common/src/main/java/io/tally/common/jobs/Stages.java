package io.tally.common.jobs;

import io.tally.events.JobState;
import io.tally.events.StageReported;
import io.tally.events.StageState;
import java.time.Instant;
import java.util.List;

/**
 * Stage names of the reference pipeline, in order, and a shorthand for the {@link StageReported} events the
 * services send. "search" is the counted stage: the tracker reports it from the items; the others report themselves.
 */
public final class Stages {

    public static final String SCRAPE = "scrape";
    public static final String PROCESS = "process";
    public static final String SEARCH = "search";
    public static final String PLAYLIST = "playlist";
    public static final String NOTIFY = "notify";

    /** The chart pipeline's stages in order. */
    public static final List<String> CHART_PIPELINE = List.of(SCRAPE, PROCESS, SEARCH, PLAYLIST, NOTIFY);

    private static final String STOPPED_BY_JOB_END = "job ended ";

    private Stages() {
    }

    /** A report that {@code stage} of {@code jobId} is now {@code state}. */
    public static StageReported report(String jobId, String stage, StageState state, long done, Long total, String detail) {
        return StageReported.newBuilder().setJobId(jobId).setStage(stage).setState(state).setDone(done).setTotal(total)
                .setDetail(detail).setReportedAt(Instant.now()).build();
    }

    /** The detail of a stage that was still running when its job ended {@code state}: it failed with the job. */
    public static String stoppedByJobEnd(JobState state) {
        return STOPPED_BY_JOB_END + state + " while it ran";
    }

    /** Whether {@code detail} says a stage failed only because its job ended, not of its own. */
    public static boolean isStoppedByJobEnd(String detail) {
        return detail != null && detail.startsWith(STOPPED_BY_JOB_END);
    }
}
