package io.tally.celebrity.quality;

import io.micrometer.core.instrument.MeterRegistry;
import io.tally.celebrity.view.TopicTable;
import io.tally.tasks.celebrity.CelebrityEntry;
import io.tally.tasks.celebrity.CelebrityProfile;
import io.tally.tasks.celebrity.CheckCelebrityQualityInput;
import io.tally.tasks.celebrity.CheckCelebrityQualityOutput;
import io.tally.worker.TaskContext;
import io.tally.worker.TaskFailedException;
import io.tally.worker.TaskHandler;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code check-celebrity-quality} task, the stage after the four sources: first it waits until post-processing
 * has caught up with the entity writes made before it started (the post-processor group's committed offsets reach the
 * entity topic's end offsets captured at the start, then the views have read both topics that far); an attempt that
 * waited {@code catch-up-wait} in vain fails as retryable {@code post-processing-behind}, and the pipeline's retry
 * policy tries again. Then it computes the run's {@link QualityReport}: the distributions as its output, or, beyond
 * the seed's thresholds, a non-retryable {@code quality-below-threshold} failure whose message is the same summary.
 */
public final class CheckCelebrityQualityHandler implements TaskHandler.Work<CheckCelebrityQualityInput, CheckCelebrityQualityOutput> {

    /** The task type. */
    public static final String TASK_TYPE = "check-celebrity-quality";
    /** Error code of a check that found post-processing behind the entity writes (retryable). */
    public static final String BEHIND = "post-processing-behind";
    /** Error code of a run beyond the thresholds (not retryable). */
    public static final String BELOW_THRESHOLD = "quality-below-threshold";

    /** Quality checks by verdict (PASSED, DEGRADED, FAILED): {@code tally_celebrities_quality_checks_total}. */
    public static final String CHECKS = "tally.celebrities.quality.checks";

    private static final Logger LOG = LoggerFactory.getLogger(CheckCelebrityQualityHandler.class);

    private final TopicTable<CelebrityEntry> entries;
    private final TopicTable<CelebrityProfile> profiles;
    private final PostProcessingLag lag;
    private final Duration catchUpWait;
    private final MeterRegistry meters;

    public CheckCelebrityQualityHandler(TopicTable<CelebrityEntry> entries, TopicTable<CelebrityProfile> profiles,
                                        PostProcessingLag lag, Duration catchUpWait, MeterRegistry meters) {
        this.entries = entries;
        this.profiles = profiles;
        this.lag = lag;
        this.catchUpWait = catchUpWait;
        this.meters = meters;
    }

    @Override
    public CheckCelebrityQualityOutput run(CheckCelebrityQualityInput input, TaskContext context) throws Exception {
        long deadline = System.nanoTime() + catchUpWait.toNanos();
        Map<TopicPartition, Long> written = lag.endOffsets(entries.topic());
        long behind = lag.awaitCaughtUp(written, catchUpWait);
        if (behind > 0) {
            throw new TaskFailedException(BEHIND, "post-processing is %d entries behind the %d written so far"
                    .formatted(behind, written.values().stream().mapToLong(Long::longValue).sum()), true);
        }
        // The profiles of those entries are written (the group commits after the writes): the views must have read them.
        Map<TopicPartition, Long> profilesWritten = lag.endOffsets(profiles.topic());
        while (!(entries.hasRead(written) && profiles.hasRead(profilesWritten))) {
            if (System.nanoTime() > deadline) {
                throw new TaskFailedException(BEHIND, "the views of the entity and profile topics are still loading", true);
            }
            Thread.sleep(100);
        }
        QualityReport report = QualityReport.of(input, entries.values(),
                key -> profiles.get(key).orElse(null));
        String summary = report.output().getSummary();
        // The alert TallyCelebrityQualityBelowThreshold reads this (the tracker's job metrics carry no pipeline).
        meters.counter(CHECKS, "verdict", report.output().getVerdict()).increment();
        if (report.belowThreshold()) {
            LOG.warn("Quality check of job {}: {}", input.getJobId(), summary);
            throw new TaskFailedException(BELOW_THRESHOLD, summary, false);
        }
        LOG.info("Quality check of job {}: {}", input.getJobId(), summary);
        return report.output();
    }
}
