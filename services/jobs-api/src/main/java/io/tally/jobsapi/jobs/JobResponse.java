package io.tally.jobsapi.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.events.StageState;
import io.tally.events.StageStatus;
import java.time.Instant;
import tools.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A job as the API shows it: the tracker's {@link JobStatus} with derived counts, progress and links.
 * {@code pipelineVersion} is the definition version the engine runs the job on and {@code parameters} the run
 * parameters it runs with, defaults applied (both null for a job created the old way);
 * {@code reason} says why an ended job ended as it did (failed stage, cancel, deadline), null otherwise.
 * Progress is {@code null} while the expected count (or a stage's total) is unknown. {@code correctionCount} counts items
 * whose outcome changed after they were counted (a redriven dead letter that now succeeds), {@code lateCount} items
 * that arrived after the job ended, {@code duplicateCount} item records that changed nothing (redeliveries, replays).
 * {@code status} is QUEUED from the moment the run was accepted until the engine starts it. {@code triggerId} and
 * {@code requestedBy} say what started an engine job; {@code cachedFrom} names the earlier job whose result a cached
 * run reused (no stage ran). {@code result} is the job's result (the definition's {@code result:} fields) with artifact
 * references turned into {@code /api/artifacts} links; only a single job's answer has it (lists leave it out), and
 * when a result stored by reference cannot be read, {@code result} is null and {@code resultError} says why.
 */
public record JobResponse(
        String jobId, JobState status, String pipeline, Integer pipelineVersion, Map<String, String> parameters,
        String sourceRef, Integer expectedCount,
        int processedCount, int succeededCount, int failedCount, int skippedCount, int correctionCount, int lateCount,
        long duplicateCount, Double progressPercent, Instant createdAt, Instant updatedAt, Instant completedAt,
        String reason, List<Stage> stages, Links links, String triggerId, String requestedBy, String cachedFrom,
        @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode result,
        @JsonInclude(JsonInclude.Include.NON_NULL) String resultError) {

    /** Name of the stage whose detail is the playlist link. */
    static final String PLAYLIST_STAGE = "playlist";

    /** One stage of the job. */
    public record Stage(String name, StageState status, long done, Long total, Double progressPercent,
            Instant startedAt, Instant updatedAt, Instant endedAt, String detail) {

        static Stage of(StageStatus stage) {
            return new Stage(stage.getName(), stage.getState(), stage.getDone(), stage.getTotal(),
                    stageProgress(stage), stage.getStartedAt(), stage.getUpdatedAt(), stage.getEndedAt(), stage.getDetail());
        }
    }

    /** Where to find the job, once made its playlist, and a result kept by reference as an artifact. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Links(String self, String playlist, String result) {
    }

    /** This answer with the job's resolved result, or the reason it has none. */
    public JobResponse withResult(JsonNode resolved, String error, String resultLink) {
        return new JobResponse(jobId, status, pipeline, pipelineVersion, parameters, sourceRef, expectedCount,
                processedCount, succeededCount, failedCount, skippedCount, correctionCount, lateCount, duplicateCount,
                progressPercent, createdAt, updatedAt, completedAt, reason, stages,
                new Links(links.self(), links.playlist(), resultLink), triggerId, requestedBy, cachedFrom, resolved,
                error);
    }

    /** The API view of {@code status}, without the end reason (lists leave it out: it is a second store read). */
    public static JobResponse of(JobStatus status) {
        return of(status, null);
    }

    /** The API view of {@code status} and, for a job that ended with one, the reason ({@code JobCompleted.reason}). */
    public static JobResponse of(JobStatus status, String reason) {
        int processed = status.getSucceededCount() + status.getFailedCount() + status.getSkippedCount();
        List<Stage> stages = status.getStages().stream().map(Stage::of).toList();
        String playlist = status.getStages().stream()
                .filter(stage -> PLAYLIST_STAGE.equals(stage.getName()))
                .map(StageStatus::getDetail)
                .filter(JobResponse::looksLikeUrl)
                .findFirst().orElse(null);
        return new JobResponse(status.getJobId(), status.getState(), status.getPipeline(),
                status.getPipelineVersion(), status.getParameters() == null ? null : new TreeMap<>(status.getParameters()),
                status.getSourceRef(), status.getExpectedCount(), processed, status.getSucceededCount(), status.getFailedCount(),
                status.getSkippedCount(), status.getCorrectionCount(), status.getLateCount(), status.getDuplicateCount(),
                jobProgress(status, processed), status.getCreatedAt(), status.getUpdatedAt(),
                status.getCompletedAt(), reason, stages, new Links(selfLink(status.getJobId()), playlist, null),
                status.getTriggerId(), status.getRequestedBy(), status.getCachedFrom(), null, null);
    }

    /** The API path of a job. */
    public static String selfLink(String jobId) {
        return "/api/jobs/" + jobId;
    }

    private static Double jobProgress(JobStatus status, int processed) {
        Integer expected = status.getExpectedCount();
        if (expected == null) {
            return null;
        }
        // An empty job is done as soon as it exists; the tracker completes it at once.
        return expected == 0 ? 100.0 : percent(processed, expected);
    }

    private static Double stageProgress(StageStatus stage) {
        if (stage.getState() == StageState.SUCCEEDED || stage.getState() == StageState.SKIPPED) {
            return 100.0;
        }
        Long total = stage.getTotal();
        return total == null || total <= 0 ? null : percent(stage.getDone(), total);
    }

    private static double percent(long done, long total) {
        double value = Math.min(100.0, done * 100.0 / total);
        return Math.round(value * 10) / 10.0;
    }

    /** A web link (YouTube) or, with the offline file adapter, the playlist file's URI. */
    private static boolean looksLikeUrl(String detail) {
        return detail != null
                && (detail.startsWith("https://") || detail.startsWith("http://") || detail.startsWith("file:/"));
    }
}
