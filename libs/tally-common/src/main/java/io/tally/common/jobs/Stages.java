package io.tally.common.jobs;

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

    private Stages() {
    }

    /** A report that {@code stage} of {@code jobId} is now {@code state}. */
    public static StageReported report(String jobId, String stage, StageState state, long done, Long total, String detail) {
        return StageReported.newBuilder().setJobId(jobId).setStage(stage).setState(state).setDone(done).setTotal(total)
                .setDetail(detail).setReportedAt(Instant.now()).build();
    }
}
