package io.tally.chartprocessor;

import io.tally.common.tasks.ChartTasks;
import io.tally.events.tasks.PickNewTracksInput;
import io.tally.events.tasks.PickNewTracksOutput;
import io.tally.worker.TaskContext;
import io.tally.worker.TaskHandler;
import java.time.Duration;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code pick-new-tracks} task (pipelines/beatport-chart.yml): answers with the new tracks of the job's chart as
 * {@link ChartProcessor} decided them, read from its {@link ChartProcessorTopology#PICKS_STORE} by interactive query.
 * The scrape stage published the chart (keyed by source key) before the engine dispatched this task, so the
 * decision is at most a processing delay away: the handler waits for it up to {@code patience}, then throws (and the
 * SDK retries). The decision is made once per job and kept, so a retried or redelivered task answers the same.
 * Known gap: the store lives where the charts' one repartition partition is processed; with several chart-processor
 * instances, a task consumed by another instance finds nothing there and is retried until the owner gets it.
 */
record PickNewTracksHandler(Picks picks, Duration patience, Duration poll)
        implements TaskHandler.Work<PickNewTracksInput, PickNewTracksOutput> {

    /** The task type: requests come from {@code tally.tasks.pick-new-tracks}. */
    static final String TASK_TYPE = ChartTasks.PICK_NEW_TRACKS.type();

    private static final Logger log = LoggerFactory.getLogger(PickNewTracksHandler.class);

    /** Reads the processor's decision for a job, or null while there is none (or the store is not queryable). */
    @FunctionalInterface
    interface Picks {
        PickNewTracksOutput of(String jobId);
    }

    @Override
    public PickNewTracksOutput run(PickNewTracksInput input, TaskContext context) throws InterruptedException {
        long giveUp = System.nanoTime() + patience.toNanos();
        while (true) {
            PickNewTracksOutput picked = lookUp(context.jobId());
            if (picked != null) {
                log.info("Job {}: {} new of {} tracks of {}{}", context.jobId(), picked.getTracks().size(),
                        picked.getChartSize(), input.getSourceKey(),
                        picked.getProcessedBy() == null ? "" : " (processed before by job " + picked.getProcessedBy() + ")");
                return picked;
            }
            if (System.nanoTime() >= giveUp || context.cancelled()) {
                throw new IllegalStateException("chart %s of job %s is not processed after %s (still on its way, or dead-lettered by the chart processor)"
                        .formatted(input.getSourceKey(), context.jobId(), patience));
            }
            Thread.sleep(poll.toMillis());
        }
    }

    private PickNewTracksOutput lookUp(String jobId) {
        try {
            return picks.of(jobId);
        } catch (InvalidStateStoreException e) {
            // Starting, restoring or rebalancing: the store answers again soon.
            log.debug("Picks store not queryable yet: {}", e.getMessage());
            return null;
        }
    }
}
